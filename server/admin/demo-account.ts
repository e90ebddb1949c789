/** The account the demo (a server without amoCRM credentials: npm start) acts for: the console, its site keys, its leads. */
export const DEMO_ACCOUNT_ID = 1;
