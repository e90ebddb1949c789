/**
 * The story of "an admin connects an account": validate what amoCRM sent to the redirect URI,
 * exchange the code at the account's own host, learn the account id, store the tokens.
 * Every refusal is a ConnectError whose `reason` picks the advice on the callback page.
 */
import type { Clock } from '../clock.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import { GrantRejectedError, type OAuthClient } from './oauth-client.js';
import { parseAccountHost } from './hosts.js';
import type { OAuthState } from './oauth-state.js';
import { AppError } from '../errors.js';

export type ConnectFailure =
  | 'not_configured'
  | 'access_denied'
  | 'invalid_request'
  | 'invalid_referer'
  | 'wrong_client_id'
  | 'invalid_state'
  | 'code_rejected'
  | 'token_key_missing'
  | 'amocrm_unreachable';

export class ConnectError extends Error {
  constructor(
    readonly reason: ConnectFailure,
    readonly status: number,
    readonly detail?: string,
  ) {
    super(`connect failed: ${reason}`);
  }
}

export interface CallbackQuery {
  code?: string;
  referer?: string;
  state?: string;
  client_id?: string;
  from_widget?: string;
  platform?: string;
  error?: string;
}

export interface ConnectedAccount {
  accountId: number;
  subdomain: string;
  host: string;
  fromWidget: boolean;
}

export class ConnectAccount {
  constructor(
    private readonly deps: {
      clientId: string | null;
      oauth: OAuthClient | null;
      accounts: AccountsRepository;
      state: OAuthState | null;
      clock: Clock;
      /** `reconnected`: the account was connected here before (its row existed). */
      onConnected?: (accountId: number, reconnected: boolean) => Promise<void>;
    },
  ) {}

  async run(query: CallbackQuery): Promise<ConnectedAccount> {
    const { clientId, oauth, accounts, state, clock } = this.deps;
    if (!clientId || !oauth || !state) throw new ConnectError('not_configured', 503);
    if (query.error) {
      throw new ConnectError(query.error === 'access_denied' ? 'access_denied' : 'invalid_request', 400, query.error);
    }
    // Checked before any outbound request: the client secret goes to this host (reference §3).
    const host = parseAccountHost(query.referer);
    if (!host) throw new ConnectError('invalid_referer', 400);
    if (query.client_id !== undefined && query.client_id !== clientId) throw new ConnectError('wrong_client_id', 400);
    if (!query.code || query.code.length > 4096) throw new ConnectError('invalid_request', 400, 'code');
    // The widget installation calls us without `state` (reference §3); a state we did not sign is refused.
    if (query.state !== undefined && !state.verify(query.state)) throw new ConnectError('invalid_state', 400);
    if (!accounts.canStoreTokens) throw new ConnectError('token_key_missing', 503);

    try {
      const tokens = await oauth.exchangeCode(host, query.code);
      const account = await oauth.fetchAccount(host, tokens.accessToken);
      const reconnected = (await accounts.status(account.id)) !== null;
      await accounts.saveConnected(
        {
          accountId: account.id,
          subdomain: account.subdomain,
          baseDomain: host.baseDomain,
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          expiresAt: clock.now() + tokens.expiresInSeconds * 1000,
        },
        clock.now(),
      );
      await this.deps.onConnected?.(account.id, reconnected);
      return { accountId: account.id, subdomain: account.subdomain, host: host.host, fromWidget: query.from_widget !== undefined };
    } catch (error) {
      if (error instanceof GrantRejectedError) throw new ConnectError('code_rejected', 400, error.hint);
      if (error instanceof AppError) throw new ConnectError('amocrm_unreachable', 502, error.message);
      throw error;
    }
  }
}
