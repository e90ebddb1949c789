/**
 * Tells every instance that something cached about an account changed elsewhere: an address
 * book grew, or the account was disconnected. One process (SQLite) has nobody to tell; on
 * PostgreSQL it is LISTEN/NOTIFY (postgres/notify-feed.ts).
 */
export interface ChangeFeed {
  publish(accountId: number): Promise<void>;
  subscribe(listener: (accountId: number) => void): void;
}

export const localFeed: ChangeFeed = {
  publish: async () => {},
  subscribe: () => {},
};
