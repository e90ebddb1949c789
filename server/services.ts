/**
 * The composition root: builds every collaborator from the config once. main.ts and the tests
 * both call it, so tests run the same wiring as production (no module mocking).
 */
import type { Logger } from 'pino';
import { ConfigError, type Config } from './config.js';
import { openDatabase, type Db } from './store/database.js';
import { AccountsRepository } from './store/accounts-repository.js';
import { TokenCipher } from './store/token-crypto.js';
import { OAuthClient } from './amo/oauth-client.js';
import { TokenService, type Clock } from './amo/token-service.js';
import { OAuthState } from './amo/oauth-state.js';
import { ConnectAccount } from './amo/connect-account.js';
import { DisconnectAccount } from './amo/disconnect-account.js';
import { AmoApi } from './amo/api-client.js';
import { PerAccountRateLimiter } from './amo/rate-limiter.js';
import { AmoCrm } from './amo/crm.js';
import { devTokenKey } from './store/dev-token-key.js';

export interface Services {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  accounts: AccountsRepository;
  tokens: TokenService;
  oauthState: OAuthState | null;
  connect: ConnectAccount;
  disconnect: DisconnectAccount;
  amoApi: AmoApi | null;
  /** Typed API v4 calls on top of amoApi (one instance: it caches each account's fields). */
  crm: AmoCrm | null;
  /** Called when an account's data is purged (disconnect); other modules add their own clean-up. */
  onAccountPurged: Array<(accountId: number) => void>;
  /** Called after an account is connected (or reconnected). */
  onAccountConnected: Array<(accountId: number, reconnected: boolean) => void>;
}

export const systemClock: Clock = { now: () => Date.now() };

export function buildServices(config: Config, log: Logger, options: { clock?: Clock; db?: Db } = {}): Services {
  const clock = options.clock ?? systemClock;
  const db = options.db ?? openDatabase(config.databasePath);
  const key = config.tokenKey ?? (config.env === 'development' && config.amo ? devTokenKey(config.databasePath, log) : null);
  if (config.amo && !key) {
    log.warn('TOKEN_ENCRYPTION_KEY is not set: accounts cannot be connected until it is (openssl rand -hex 32)');
  }
  const accounts = new AccountsRepository(db, key ? new TokenCipher(key) : null);
  const keyProblem = accounts.checkKey();
  if (keyProblem) throw new ConfigError([keyProblem]);
  const oauth = config.amo ? new OAuthClient(config.amo, config.amoTestBaseUrl) : null;
  const tokens = new TokenService(accounts, oauth, clock, log);
  const oauthState = config.amo ? new OAuthState(config.amo.clientSecret, clock) : null;
  const amoApi = config.amo
    ? new AmoApi(tokens, new PerAccountRateLimiter(config.amoApi.ratePerSecond), log, { testBaseUrl: config.amoTestBaseUrl, baseBackoffMs: config.amoApi.retryBaseMs }, accounts, () => clock.now())
    : null;
  const onAccountPurged: Services['onAccountPurged'] = [];
  const onAccountConnected: Services['onAccountConnected'] = [];
  return {
    config,
    db,
    log,
    clock,
    accounts,
    tokens,
    oauthState,
    connect: new ConnectAccount({ clientId: config.amo?.clientId ?? null, oauth, accounts, state: oauthState, clock, onConnected: (id, reconnected) => onAccountConnected.forEach((fn) => fn(id, reconnected)) }),
    disconnect: new DisconnectAccount(config.amo, db, (id) => onAccountPurged.forEach((fn) => fn(id))),
    amoApi,
    crm: amoApi ? new AmoCrm(amoApi) : null,
    onAccountPurged,
    onAccountConnected,
  };
}
