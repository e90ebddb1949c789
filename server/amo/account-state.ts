/**
 * The account-state changes that amoCRM's answers cause, as the amoCRM gateway reports them.
 * Implemented by accounts/account-lifecycle.ts, the one module that changes an account's state.
 */
export interface AccountStateChanges {
  /** amoCRM refused the refresh token for good: an admin must connect the account again. */
  reconnectRequired(accountId: number, reason: string): Promise<void>;
  /** amoCRM answered with its block page: nothing is sent for the account until `until`. */
  blocked(accountId: number, until: number, reason: string): Promise<void>;
  /** The end of the account's block pause, or null when it may send. */
  pausedUntil(accountId: number): Promise<number | null>;
}
