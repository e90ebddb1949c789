/**
 * A fake amoCRM on 127.0.0.1 that behaves as shared/amocrm-reference.md says: codes that expire
 * and work once, single-use rotating refresh tokens (a reused one: 401 "Token has been revoked"),
 * expiring access tokens, /api/v4 with hal+json, problem+json errors, 204 for empty lists, and
 * faults on demand (429 bursts, 5xx, slow answers, connection resets).
 *
 * Routed by `Host` as amoCRM's servers are (the app sends the intended account host in `Host`
 * in tests, server/amo/hosts.ts): a renamed account answers 404 at its old host, and its new
 * host is told by `/oauth2/account/current/subdomain` (amocrm-api-php AmoCRMOAuth.php and
 * Models/AccountDomainModel.php: `{id, subdomain, domain, top_level_domain}` for an
 * `X-Refresh-Token`, asked at the access token's `api_domain` claim).
 */
import express, { type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { userRoutes, type FakeRole, type FakeUser } from './fake-amocrm-users.js';
import { DEFAULT_FIELDS, entityRoutes, webhookBody, type Entity, type EntityType, type FakeField } from './fake-amocrm-entities.js';

export interface FakeAccount {
  id: number;
  subdomain: string;
  name: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  accountId: number | null;
  /** the bearer token the request carried */
  token: string | null;
  /** the account host the request was meant for (`Host`) */
  host: string;
  at: number;
}

/** `lostResponse`: the change is made, then the connection drops before the answer (a timeout after success). */
/** `json403`: amoCRM's JSON refusal for a missing right (Kommo api_v4/users "Insufficient rights to call this method"). */
type Fault = 'status429' | 'status500' | 'status503' | 'reset' | 'slow' | 'html403' | 'json403' | 'lostResponse';

export class FakeAmoCrm {
  readonly requests: RecordedRequest[] = [];
  readonly accounts = new Map<number, FakeAccount>();
  /** Entities per account: leads/contacts/companies keyed by id. */
  readonly entities = new Map<number, Record<string, Map<number, Record<string, unknown>>>>();
  accessTokenLifetimeSeconds = 86400;
  readonly fields: Record<EntityType, FakeField[]> = structuredClone(DEFAULT_FIELDS);
  readonly notes: Array<{ id: number; accountId: number; entityId: number; text: string }> = [];
  readonly patches: Array<{ accountId: number; entity: string; id: number; body: unknown }> = [];
  /** Batch PATCHes served (`PATCH /api/v4/{entity}` with an array). */
  batchPatches = 0;
  /**
   * Entities the integration's user may not edit: a PATCH naming one (alone or in a batch) gets
   * amoCRM's JSON 403 for a missing right (reference §8, "a 403 is not always a block").
   */
  readonly readOnly = new Set<number>();
  /**
   * A batch PATCH of more entities than this answers 504 (reference §6: large writes time out,
   * "504 → smaller batch"; amoCRM advises 50 a request). Off by default.
   */
  batchTimeoutAbove = Infinity;
  webhooks: Array<{ accountId: number; destination: string; settings: string[] }> = [];
  /** Deliver webhooks to subscribed destinations after API changes, as amoCRM does. */
  deliverWebhooks = true;
  readonly webhookDeliveries: Array<{ destination: string; status: number }> = [];
  /**
   * amoCRM's per-integration limit (reference §6): over it, 429 and a counted violation. Off by
   * default, since tests that connect accounts in quick succession are not what it is about;
   * the write tests set it to 7.
   */
  rateLimitPerSecond = Infinity;
  /**
   * Accounts amoCRM has blocked: every request, the token endpoint included, gets the HTML 403
   * page ("на любой запрос", amoCRM docs api/recommendations and error-codes; reference §6).
   */
  readonly blocked = new Set<number>();
  /**
   * The webhooks API needs an administrator and, on Kommo, the Advanced/Enterprise plan
   * (amoCRM docs crm_platform/webhooks-api; Kommo plans): when set, it answers a JSON 403.
   */
  webhooksForbidden = false;
  /** Users, groups and roles per account (fake-amocrm-users.ts). */
  readonly users = new Map<number, Map<number, FakeUser>>();
  readonly groups = new Map<number, Map<number, { id: number; name: string }>>();
  readonly roles = new Map<number, Map<number, FakeRole>>();
  /** The integration was connected by a user who is not an admin: the users API answers 403. */
  usersForbidden = false;
  rateViolations = 0;
  /** How many pages of /custom_fields were served (paging is tested). */
  customFieldPages = 0;
  slowMs = 1500;
  private readonly starts = new Map<number, number[]>();
  private maxWindow = new Map<number, number>();
  /** Delay every answer by this many ms. */
  latencyMs = 0;
  private readonly codes = new Map<string, { accountId: number; expiresAt: number; used: boolean }>();
  private readonly refreshTokens = new Map<string, { accountId: number; used: boolean }>();
  private readonly accessTokens = new Map<string, { accountId: number; expiresAt: number }>();
  private readonly faults: Fault[] = [];
  private faultRate = 0;
  private nextId = 1000;
  nextEntityId(): number {
    return this.nextId++;
  }
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(readonly credentials: { clientId: string; clientSecret: string; redirectUri: string }) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  addAccount(account: FakeAccount): void {
    this.accounts.set(account.id, account);
    this.entities.set(account.id, { leads: new Map(), contacts: new Map(), companies: new Map() });
  }

  issueCode(accountId: number, lifetimeMs = 20 * 60 * 1000): string {
    const code = `code-${randomBytes(12).toString('hex')}`;
    this.codes.set(code, { accountId, expiresAt: Date.now() + lifetimeMs, used: false });
    return code;
  }

  /** Tokens as if a connect had happened (for tests that start connected). */
  grantTokens(accountId: number, lifetimeSeconds = this.accessTokenLifetimeSeconds) {
    // amoCRM's access tokens are JWTs whose payload names the OAuth host, `api_domain`
    // (amocrm-api-php examples/get_account_subdomain.php); the signature is not ours to check.
    const payload = Buffer.from(JSON.stringify({ jti: randomBytes(8).toString('hex'), account_id: accountId, api_domain: 'api-a.amocrm.ru' })).toString('base64url');
    const accessToken = `${Buffer.from('{"typ":"JWT","alg":"RS256"}').toString('base64url')}.${payload}.${randomBytes(16).toString('base64url')}`;
    const refreshToken = `rt-${randomBytes(16).toString('hex')}`;
    this.accessTokens.set(accessToken, { accountId, expiresAt: Date.now() + lifetimeSeconds * 1000 });
    this.refreshTokens.set(refreshToken, { accountId, used: false });
    return { accessToken, refreshToken, expiresIn: lifetimeSeconds };
  }

  /** Access tokens expire now (amoCRM answers 401 until a refresh). */
  expireAccessTokens(): void {
    for (const entry of this.accessTokens.values()) entry.expiresAt = 0;
  }

  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** Queue faults for the next API (not OAuth) requests, in order. */
  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Every API request fails with this probability (a random fault among 429, 500, 503, reset, slow). */
  setFaultRate(rate: number): void {
    this.faultRate = rate;
  }

  count(predicate: (r: RecordedRequest) => boolean): number {
    return this.requests.filter(predicate).length;
  }

  refreshCount(): number {
    return this.count((r) => r.path === '/oauth2/access_token' && (r.body as { grant_type?: string })?.grant_type === 'refresh_token');
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.json({ limit: '5mb' }));
    app.use((req, _res, next) => {
      this.requests.push({ method: req.method, path: req.path, query: { ...req.query }, body: req.body, accountId: this.bearerAccount(req), token: /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? null, host: String(req.get('host') ?? ''), at: Date.now() });
      next();
    });
    app.use(async (_req, _res, next) => {
      if (this.latencyMs) await sleep(this.latencyMs);
      next();
    });
    app.use((req, res, next) => {
      const account = this.accountOf(req);
      if (account !== null && this.blocked.has(account)) return void res.status(403).type('html').send('<html><body><h1>403 Forbidden</h1>Доступ к аккаунту заблокирован</body></html>');
      next();
    });
    app.post('/oauth2/access_token', (req, res) => this.token(req, res));
    app.get('/oauth2/account/current/subdomain', (req, res) => {
      const refresh = this.refreshTokens.get(String(req.get('x-refresh-token') ?? ''));
      if (!refresh || refresh.used) return problem(res, 401, 'Unauthorized', 'Token has been revoked');
      const account = this.accounts.get(refresh.accountId)!;
      res.json({ id: account.id, subdomain: account.subdomain, domain: `${account.subdomain}.amocrm.ru`, top_level_domain: 'ru' });
    });
    app.use('/api/v4', (req, res, next) => this.apiGate(req, res, next));
    app.get('/api/v4/account', (req, res) => {
      const account = this.accounts.get(this.bearerAccount(req)!)!;
      res.type('application/hal+json').json({ id: account.id, name: account.name, subdomain: account.subdomain, country: 'RU', currency: 'RUB' });
    });
    userRoutes(app, this); // before /api/v4/:entity/:id, which would answer 404 for them
    entityRoutes(app, this);
    this.server = createServer(app);
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  addUser(accountId: number, user: FakeUser): void {
    if (!this.users.has(accountId)) this.users.set(accountId, new Map());
    this.users.get(accountId)!.set(user.id, user);
  }

  addRole(accountId: number, role: FakeRole): void {
    if (!this.roles.has(accountId)) this.roles.set(accountId, new Map());
    this.roles.get(accountId)!.set(role.id, role);
  }

  addGroup(accountId: number, group: { id: number; name: string }): void {
    if (!this.groups.has(accountId)) this.groups.set(accountId, new Map());
    this.groups.get(accountId)!.set(group.id, group);
  }

  addEntity(accountId: number, entity: 'leads' | 'contacts' | 'companies', body: Record<string, unknown>): number {
    const id = this.nextId++;
    this.entities.get(accountId)![entity].set(id, { id, ...body });
    return id;
  }

  /** The account a request is about: its bearer token, refresh token or code. */
  private accountOf(req: Request): number | null {
    const body = (req.body ?? {}) as Record<string, unknown>;
    return this.bearerAccount(req) ?? this.refreshTokens.get(String(body.refresh_token ?? req.get('x-refresh-token') ?? ''))?.accountId ?? this.codes.get(String(body.code ?? ''))?.accountId ?? null;
  }

  /** A request that names an account host must name this account's current one; a direct loopback call names none. */
  private wrongHost(req: Request, accountId: number): boolean {
    const host = String(req.get('host') ?? '');
    if (!/\.(amocrm\.ru|amocrm\.com|kommo\.com)$/.test(host) || host.startsWith('api-')) return false;
    return host.split('.')[0] !== this.accounts.get(accountId)?.subdomain;
  }

  /** amoCRM renamed the account's subdomain: its old host stops answering for it. */
  renameAccount(accountId: number, subdomain: string): void {
    this.accounts.get(accountId)!.subdomain = subdomain;
  }

  private token(req: Request, res: Response): void {
    const body = req.body as Record<string, string>;
    const account = this.accountOf(req);
    if (account !== null && this.wrongHost(req, account)) return problem(res, 404, 'Not found', 'Account not found');
    const { clientId, clientSecret, redirectUri } = this.credentials;
    if (body.client_id !== clientId || body.client_secret !== clientSecret) {
      return problem(res, 401, 'Unauthorized', 'Client authentication failed');
    }
    if (body.redirect_uri !== redirectUri) return problem(res, 400, 'Bad request', 'Redirect URI mismatch');
    if (body.grant_type === 'authorization_code') {
      const code = this.codes.get(body.code);
      if (!code) return problem(res, 400, 'Некорректный запрос', 'Cannot decrypt the authorization code');
      if (code.used) return problem(res, 400, 'Некорректный запрос', 'Authorization code has been revoked');
      if (code.expiresAt < Date.now()) return problem(res, 400, 'Некорректный запрос', 'Authorization code has expired');
      code.used = true;
      return this.issue(res, code.accountId);
    }
    if (body.grant_type === 'refresh_token') {
      const refresh = this.refreshTokens.get(body.refresh_token);
      if (!refresh || refresh.used) return problem(res, 401, 'Unauthorized', 'Token has been revoked');
      refresh.used = true;
      return this.issue(res, refresh.accountId);
    }
    problem(res, 400, 'Bad request', 'Unsupported grant type');
  }

  private issue(res: Response, accountId: number): void {
    const tokens = this.grantTokens(accountId);
    res.json({ token_type: 'Bearer', expires_in: tokens.expiresIn, access_token: tokens.accessToken, refresh_token: tokens.refreshToken });
  }

  /** The most requests this account started within any one second. */
  maxPerSecond(accountId: number): number {
    return this.maxWindow.get(accountId) ?? 0;
  }

  /** Sends an answer, unless this request's fault is a lost response: then the change stands and the socket drops. */
  reply(res: Response, status: number, body: unknown): void {
    if (res.locals.loseResponse) return void res.req.socket.destroy();
    if (status === 204) return void res.status(204).end();
    res.status(status).type(status >= 400 ? 'application/problem+json' : 'application/hal+json').send(JSON.stringify(body));
  }

  /** After a change through the API, amoCRM tells subscribed webhooks (asynchronously). */
  afterChange(accountId: number, entity: EntityType, event: 'add' | 'update', ids: number[]): void {
    const setting = `${event}_${entity.replace(/s$/, '').replace('companie', 'company')}`;
    const hooks = this.webhooks.filter((w) => w.accountId === accountId && w.settings.includes(setting));
    if (!this.deliverWebhooks || !hooks.length) return;
    const items = ids.map((id) => structuredClone(this.entities.get(accountId)![entity].get(id)) as Entity);
    const body = webhookBody(accountId, this.accounts.get(accountId)!.subdomain, entity, event, items, this.fields[entity]);
    setTimeout(() => {
      for (const hook of hooks) {
        fetch(hook.destination, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
          .then((r) => this.webhookDeliveries.push({ destination: hook.destination, status: r.status }))
          .catch(() => this.webhookDeliveries.push({ destination: hook.destination, status: 0 }));
      }
    }, 20);
  }

  /** Counts a request start for the account; true when it is over the per-second limit. */
  private overLimit(accountId: number): boolean {
    const now = Date.now();
    const recent = (this.starts.get(accountId) ?? []).filter((t) => now - t < 1000);
    recent.push(now);
    this.starts.set(accountId, recent);
    this.maxWindow.set(accountId, Math.max(this.maxPerSecond(accountId), recent.length));
    return recent.length > this.rateLimitPerSecond;
  }

  bearerAccount(req: Request): number | null {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const entry = token ? this.accessTokens.get(token) : undefined;
    return entry ? entry.accountId : null;
  }

  private async apiGate(req: Request, res: Response, next: () => void): Promise<void> {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const entry = token ? this.accessTokens.get(token) : undefined;
    if (!entry || entry.expiresAt < Date.now()) return problem(res, 401, 'Unauthorized', 'Token expired or revoked');
    if (this.wrongHost(req, entry.accountId)) return problem(res, 404, 'Not found', 'Account not found');
    if (this.overLimit(entry.accountId)) {
      this.rateViolations++;
      return void res.status(429).type('html').send('<html><body>Too Many Requests</body></html>');
    }
    const fault = this.faults.shift() ?? (Math.random() < this.faultRate ? pick(['status429', 'status500', 'status503', 'reset', 'slow', 'lostResponse'] as Fault[]) : undefined);
    if (fault === 'lostResponse' && req.method !== 'GET') res.locals.loseResponse = true;
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === 'status429') return void res.status(429).type('html').send('<html><body>Too Many Requests</body></html>');
    if (fault === 'html403') return void res.status(403).type('html').send('<html><body>Forbidden</body></html>');
    if (fault === 'json403') return problem(res, 403, 'Forbidden', 'Insufficient rights to call this method');
    if (fault === 'status500' || fault === 'status503') return problem(res, fault === 'status500' ? 500 : 503, 'Server error');
    if (fault === 'slow') await sleep(this.slowMs);
    next();
  }
}

export function problem(res: Response, status: number, title: string, hint?: string): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({ title, type: 'https://httpstatus.es/' + status, status, detail: hint ?? title, ...(hint ? { hint } : {}) }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
