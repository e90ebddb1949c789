/**
 * One error family for the whole backend. Every failure a caller can act on has a stable `code`
 * from one typed list (contract/api.ts, which also fixes its HTTP status) and a message a person
 * can act on. The Express error middleware in http/error-middleware.ts turns these into JSON.
 */
import { ERROR_STATUS, type ErrorCode } from '../contract/api.js';

export type { ErrorCode };

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

/** The account's refresh token no longer works: an admin has to connect the account again. */
export const reconnectRequired = (accountId: number) =>
  new AppError('reconnect_required', `amoCRM account ${accountId} must be connected again: open the widget settings in amoCRM and press "Connect".`);

/** No tokens are stored for the account (never connected here, or disconnected). */
export const accountNotConnected = (accountId: number) =>
  new AppError('account_not_connected', `amoCRM account ${accountId} is not connected to amo-address: an admin should open the widget settings and press "Connect".`);

export const notConfigured = (message = 'Set AMOCRM_CLIENT_ID, AMOCRM_CLIENT_SECRET and AMOCRM_REDIRECT_URI first.') => new AppError('not_configured', message);
