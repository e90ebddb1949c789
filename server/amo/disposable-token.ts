/**
 * amoCRM's disposable token (reference §5): the widget's `$authorizedAjax` sends
 * `X-Auth-Token`, an HS256 JWT signed with our client secret. Checked as the official library
 * does (signature, audience = our redirect URI's origin, times) plus issuer host, client_uuid
 * and that the account is connected here.
 */
import { jwtVerify, errors as joseErrors } from 'jose';
import type { AmoCredentials } from '../config.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import { accountNotConnected, AppError, reconnectRequired } from '../errors.js';
import { parseAccountOrigin } from './hosts.js';

export interface WidgetCaller {
  accountId: number;
  userId: number | null;
  subdomain: string;
  isAdmin: boolean;
  /**
   * The card a mobile-app token was issued in (amoCRM's mobile widgets page: `data.entity_type`,
   * `data.entity_id`); null for the web widget's tokens, which name none.
   */
  card: { entityType: string; entityId: number } | null;
}

export class DisposableTokenVerifier {
  private readonly key: Uint8Array;
  private readonly audience: string;

  constructor(
    private readonly credentials: AmoCredentials,
    private readonly accounts: AccountsRepository,
  ) {
    this.key = new TextEncoder().encode(credentials.clientSecret);
    this.audience = new URL(credentials.redirectUri).origin;
  }

  /** The caller, or a 401 (bad token) / 409 (reconnect required) AppError. */
  async verify(token: string, options: { requireConnected?: boolean } = {}): Promise<WidgetCaller> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], audience: this.audience, clockTolerance: 5, requiredClaims: ['exp', 'iss', 'account_id'] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AppError('token_expired', 'The amoCRM token has expired: reload the amoCRM page.');
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new AppError('invalid_token', `The amoCRM token is not for this integration (${error.claim}).`);
      throw new AppError('invalid_token', 'The amoCRM token could not be verified.');
    }
    const issuer = parseAccountOrigin(payload.iss);
    const accountId = Number(payload.account_id);
    if (!issuer || !Number.isSafeInteger(accountId) || accountId <= 0) throw new AppError('invalid_token', 'The amoCRM token names no valid account.');
    if (payload.client_uuid !== undefined && payload.client_uuid !== this.credentials.clientId) {
      throw new AppError('invalid_token', 'The amoCRM token is for another integration.');
    }
    if (options.requireConnected !== false) {
      const status = await this.accounts.status(accountId);
      if (status === null) throw accountNotConnected(accountId);
      if (status === 'reconnect_required') throw reconnectRequired(accountId);
    }
    const userId = Number(payload.user_id);
    const data = (payload.data ?? null) as { entity_type?: unknown; entity_id?: unknown } | null;
    const entityId = Number(data?.entity_id);
    const card = data && typeof data.entity_type === 'string' && Number.isSafeInteger(entityId) && entityId > 0 ? { entityType: data.entity_type, entityId } : null;
    return { accountId, userId: Number.isSafeInteger(userId) ? userId : null, subdomain: issuer.subdomain, isAdmin: payload.is_admin === true, card };
  }
}
