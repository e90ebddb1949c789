/**
 * One error family for the whole backend. Every failure a caller can act on has a stable
 * `code` (matched by the widget and the tests) and a message a person can act on.
 * The Express error middleware in http/error-middleware.ts turns these into JSON.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(400, code, message, details);

export const unauthorized = (code: string, message: string) => new AppError(401, code, message);

export const notConfigured = (message: string) => new AppError(503, 'not_configured', message);

/** The account's refresh token no longer works: an admin has to connect the account again. */
export const reconnectRequired = (accountId: number) =>
  new AppError(
    409,
    'reconnect_required',
    `amoCRM account ${accountId} must be connected again: open the widget settings in amoCRM and press "Connect".`,
  );
