/**
 * The only reader of process.env. One zod schema (`envSchema`) types, defaults and documents
 * every variable — docs/configuration.md's table is generated from it and a test keeps the two
 * equal — and `loadConfig` turns it into the Config the server is built from. A bad value stops
 * start-up with a message that names the variable and what it expects.
 */
import { dirname, join } from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

/** "moscow=https://…,spb=https://…": a region id and an http(s) URL per pair. */
const extractUrlList = z.string().transform((value, ctx) => {
  const out: Record<string, string> = {};
  for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [id, url] = [pair.slice(0, pair.indexOf('=')).trim().toLowerCase(), pair.slice(pair.indexOf('=') + 1).trim()];
    if (!pair.includes('=') || !id || !/^https?:\/\/\S+$/i.test(url)) {
      ctx.addIssue({ code: 'custom', message: `expected region=http(s)://… pairs separated by commas, got "${pair}"` });
      return z.NEVER;
    }
    out[id] = url;
  }
  return out;
});

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A variable's documentation: the docs/configuration.md's table is generated from these (scripts/config-table.ts). */
const doc = <T extends z.ZodType>(type: T, meaning: string, shownDefault?: string) => type.meta({ description: meaning, ...(shownDefault ? { shownDefault } : {}) });

/** Every environment variable the server reads, with its type, default and meaning. */
export const envSchema = z.object({
  NODE_ENV: doc(z.enum(['development', 'production', 'test']).default('development'), 'set `production` in production; `development` generates a token key and prints readable logs on a terminal'),
  PORT: doc(z.coerce.number().int().min(0).max(65535).default(3000), 'the port the server listens on'),
  HOST: doc(z.string().min(1).default('127.0.0.1'), 'the address it listens on (`0.0.0.0` behind a proxy)'),
  PUBLIC_URL: doc(httpUrl.optional(), 'the backend’s public origin; baked into the widget by `build:widget`, allowed by CORS, the base of webhook URLs', '`http://localhost:$PORT`'),
  LOG_LEVEL: doc(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'pino; tokens, codes, signatures and secrets are redacted'),
  READY_MIN_FREE_DISK_MB: doc(z.coerce.number().int().min(0).default(256), '`/readyz` says not ready when the store’s or the index’s disk has less free space than this'),
  METRICS_PORT: doc(z.coerce.number().int().min(1).max(65535).optional(), 'also serve `/metrics` without a token on this port, bound to 127.0.0.1 (on the public port it needs `ADMIN_TOKEN`)'),
  LOG_QUERIES: doc(bool.optional(), 'log what customers typed (`q`, coordinates) in request lines, for debugging; otherwise only its length (docs/security.md, "Personal data")', '`true` in development, else `false`'),

  AMOCRM_CLIENT_ID: doc(z.uuid({ message: 'expected the integration ID (a UUID) from amoCRM' }).optional(), 'the integration’s ID; the three `AMOCRM_CLIENT_*`/`REDIRECT_URI` variables go together, none of them means demo mode'),
  AMOCRM_CLIENT_SECRET: doc(z.string().min(16, 'expected the secret key from amoCRM').optional(), 'the integration’s secret key'),
  AMOCRM_REDIRECT_URI: doc(httpUrl.optional(), 'the Redirect URI registered in amoCRM: `https://<backend>/api/auth/amocrm/callback`, exactly'),
  AMOCRM_AUTH_REQUIRED: doc(bool.optional(), '`false` lets the widget’s calls in without amoCRM’s token (development only)', '`true` with credentials'),
  AMOCRM_TEST_BASE_URL: doc(
    httpUrl.refine((u) => LOOPBACK_HOSTS.has(new URL(u).hostname), 'only loopback origins are accepted').optional(),
    'tests only: every amoCRM request goes to this loopback origin (the fake amoCRM), with `Host` naming the account',
  ),

  DATABASE_PATH: doc(z.string().min(1).default('./data/amo-address.db'), 'the SQLite file of accounts, tokens, address books and the outbox (without `DATABASE_URL`)'),
  INDEX_DIR: doc(z.string().min(1).optional(), 'the address index: `CURRENT` names the file being served; every import or update builds a new file beside it and switches (docs/address-data.md)', '`index/` beside `DATABASE_PATH`'),
  OSM_EXTRACTS_URL: doc(httpUrl.default('https://download.geofabrik.de'), 'where `npm run data` downloads OpenStreetMap extracts (Geofabrik’s layout: `russia/central-fed-district-latest.osm.pbf` and its `.md5`); a mirror works'),
  GAR_RELEASES_URL: doc(httpUrl.default('https://fias.nalog.ru/WebServices/Public/GetAllDownloadFileInfo'), 'the registry’s (ГАР) release list, JSON as the FNS publishes it (`GarXMLFullURL`, `GarXMLDeltaURL` per release); a mirror of the same shape works'),
  OSM_MAX_AGE_DAYS: doc(z.coerce.number().int().min(1).max(3650).default(30), '`npm run data -- update` downloads an OpenStreetMap extract again when the one imported is older than this'),
  OSM_EXTRACT_URLS: doc(extractUrlList.optional(), 'a region’s extract from elsewhere, comma-separated `region=url` (`moscow=https://mirror.example/moscow.osm.pbf`): a mirror that publishes a city alone saves downloading its district'),
  DATA_IDLE_TIMEOUT_SECONDS: doc(z.coerce.number().int().min(5).max(3600).default(60), 'a download (or a byte range of the registry archive) that sends nothing this long is taken as cut and resumed; a slow but steady link is never cut'),
  DATA_MAX_DOWNLOAD_GB: doc(z.coerce.number().min(0.001).max(1024).default(16), 'the largest file `npm run data` downloads (Russia’s extract is about 4 GB); a mirror that sends more is stopped'),
  DATA_REDIRECT_HOSTS: doc(z.string().optional(), 'hosts a mirror may redirect downloads to, comma-separated (otherwise only to the host asked)'),
  DATA_MAX_DELTA_GAP_DAYS: doc(z.coerce.number().int().min(1).max(365).default(14), '`npm run data -- update` applies registry deltas while each comes within this many days of the region’s date (they come about twice a week); a region further behind, or missing a delta, is read again from the newest full archive'),
  DATA_UPDATE_INTERVAL_HOURS: doc(z.coerce.number().min(0).max(24 * 365).default(0), 'the server runs `npm run data -- update` itself this often (0: off; or run it from cron/systemd)'),
  DATA_OPERATOR_ACCOUNTS: doc(
    z.string().regex(/^\d+(\s*,\s*\d+)*$/, 'expected amoCRM account ids, comma-separated').optional(),
    'amoCRM account ids whose admins may start an address data update from the console; every other account sees the section read-only (on a shared server: the operator’s own account)',
  ),
  DATABASE_URL: doc(
    z.string().regex(/^postgres(ql)?:\/\//, 'expected postgres://user:password@host:port/database').optional(),
    'PostgreSQL for several instances (docs/operating.md, "Several instances"): accounts, tokens, settings, site keys, address books, the outbox and webhooks live there; unset, everything stays in the SQLite file',
  ),
  DATABASE_POOL_SIZE: doc(z.coerce.number().int().min(2).max(100).default(10), 'connections each instance keeps to PostgreSQL for queries (at least `OUTBOX_CONCURRENCY` + 3); advisory locks use `OUTBOX_CONCURRENCY` + 2 more'),
  TOKEN_ENCRYPTION_KEY: doc(
    z
      .string()
      .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32, 'expected 32 bytes as 64 hex characters or base64 (openssl rand -hex 32)')
      .optional(),
    '32 bytes (`openssl rand -hex 32`); tokens are AES-256-GCM encrypted at rest. Without it tokens are refused, except with `NODE_ENV=development`, where a key is generated into `data/.dev-token-key`; a changed key stops start-up',
  ),
  ADMIN_TOKEN: doc(z.string().min(16, 'expected at least 16 characters').optional(), '16+ characters; enables `GET /api/status` and the admin endpoints (`Authorization: Bearer …`)'),

  GEOCODER: doc(z.enum(['local', 'dadata', 'yandex', 'photon', 'nominatim']).default('local'), 'the suggestion provider: `local` (embedded, no key), `dadata`, `yandex`, `photon`, `nominatim`'),
  DADATA_API_KEY: doc(z.string().min(1).optional(), 'required with `GEOCODER=dadata`'),
  YANDEX_API_KEY: doc(z.string().min(1).optional(), 'required with `GEOCODER=yandex`'),
  PHOTON_URL: doc(httpUrl.optional(), 'required with `GEOCODER=photon` (self-hosted)'),
  NOMINATIM_URL: doc(
    httpUrl.refine((u) => !/(^|\.)nominatim\.openstreetmap\.org$/i.test(new URL(u).hostname), 'the public Nominatim server forbids autocomplete: point this at your own Nominatim').optional(),
    'required with `GEOCODER=nominatim`: your own server (the public one forbids autocomplete and is refused)',
  ),
  DADATA_URL: doc(httpUrl.optional(), 'tests only: DaData’s endpoint (a fake provider on loopback)'),
  YANDEX_SUGGEST_URL: doc(httpUrl.optional(), 'tests only: Yandex’s endpoint (a fake provider on loopback)'),
  MAP_TILES_URL: doc(
    z.string().regex(/^https:\/\/[^\s]+$/u, 'expected an https URL template').refine((u) => ['{z}', '{x}', '{y}'].every((p) => u.includes(p)), 'must hold {z}, {x} and {y}').optional(),
    'base map tiles for the console’s map of the zones, an XYZ template (`https://tile.example/{z}/{x}/{y}.png`); only a provider whose terms allow it (docs/delivery-zones.md, "The map"); without it the zones are drawn on a plain background',
  ),
  MAP_TILES_ATTRIBUTION: doc(z.string().min(1).max(300).optional(), 'the attribution the tile provider requires, shown on the map (plain text)'),
  GEOCODER_TIMEOUT_MS: doc(z.coerce.number().int().min(50).max(30000).default(1500), 'per provider call; on timeout or failure the answer comes from `local` (`source: "local-fallback"`)'),
  SUGGEST_CACHE_TTL_SECONDS: doc(z.coerce.number().int().min(0).max(86400).default(600), 'how long a suggestion answer is cached (0: no cache)'),
  SUGGEST_CACHE_MAX_MB: doc(z.coerce.number().min(0).max(4096).default(64), 'all cached answers together take at most this many megabytes'),
  RATE_LIMIT_PER_MINUTE: doc(z.coerce.number().int().min(1).max(100000).default(600), 'suggestion calls per account (per IP when anonymous); over it 429 with `Retry-After`'),

  AMOCRM_RATE_PER_SECOND: doc(z.coerce.number().min(0.1).max(1000).default(6), 'our requests per second per account (amoCRM allows 7 per integration, reference §6)'),
  AMOCRM_RETRY_BASE_MS: doc(z.coerce.number().int().min(1).max(60000).default(500), 'first backoff for 429/5xx/network errors (exponential, jittered, `Retry-After` honoured)'),
  AMOCRM_SUBSCRIBE_WEBHOOKS: doc(bool.default(false), 'subscribe each account’s webhook URL when it connects'),
  AMOCRM_IMPORT_ADDRESSES_ON_CONNECT: doc(bool.default(true), 'seed the account’s address book from its leads, contacts and companies when it connects'),
  AMOCRM_IDLE_REFRESH_DAYS: doc(z.coerce.number().min(1).max(80).default(7), 'refresh tokens unused this long (a refresh token unused for 3 months stops working)'),
  CLEAN_WRITE_BATCH: doc(z.coerce.number().int().min(1).max(250).default(50), 'entities one PATCH carries when a clean job writes (amoCRM takes 250 and advises 50; a 504 halves the batch)'),
  OUTBOX_CONCURRENCY: doc(z.coerce.number().int().min(1).max(64).default(4), 'outbox items sent at once'),
  OUTBOX_PER_ACCOUNT: doc(z.coerce.number().int().min(1).max(64).default(2), 'outbox items of one account sent at once: the worker goes round the accounts, so one account’s burst never holds up another’s'),
  OUTBOX_MAX_PENDING_PER_ACCOUNT: doc(z.coerce.number().int().min(10).max(1_000_000).default(2000), 'items one account may have waiting; over it, website leads are answered 429 with Retry-After (the console says so)'),
  OUTBOX_MAX_ATTEMPTS: doc(z.coerce.number().int().min(1).max(100).default(8), 'attempts before an item is parked for an admin'),
  OUTBOX_LEASE_SECONDS: doc(z.coerce.number().int().min(1).max(3600).default(120), 'how long a claimed item is held before another worker may take it'),
  OUTBOX_POLL_MS: doc(z.coerce.number().int().min(10).max(60000).default(500), 'how often the outbox is polled when idle'),
  OUTBOX_RETRY_BASE_MS: doc(z.coerce.number().int().min(1).max(3_600_000).default(5000), 'first retry delay of a failed item (exponential, jittered)'),
  INTAKE_RATE_LIMIT_PER_MINUTE: doc(z.coerce.number().int().min(1).max(1_000_000).default(120), 'website leads per site key per minute'),
  SQLITE_SYNCHRONOUS: doc(z.enum(['FULL', 'NORMAL']).default('FULL'), "FULL: an answered lead or write survives a power cut (one fsync per commit); NORMAL: faster, the last commits may be lost on power loss (not on a crash)"),
  SITE_KEYS_PER_ACCOUNT: doc(z.coerce.number().int().min(1).max(10_000).default(20), 'active website keys an account may have'),
  WEBHOOK_RATE_LIMIT_PER_MINUTE: doc(z.coerce.number().int().min(1).max(1_000_000).default(600), 'amoCRM webhook deliveries per account per minute (over it: 429, amoCRM delivers again later)'),
  ZONE_UPLOADS_PER_MINUTE: doc(z.coerce.number().int().min(1).max(10_000).default(6), 'delivery-zone files one account may upload a minute (each is seconds of a worker and a write of megabytes)'),
  ACCOUNT_WRITE_LIMIT_PER_MINUTE: doc(z.coerce.number().int().min(1).max(1_000_000).default(120), 'write-backs and console changes per account per minute'),
});

type Env = z.infer<typeof envSchema>;

const AMO_VARS = ['AMOCRM_CLIENT_ID', 'AMOCRM_CLIENT_SECRET', 'AMOCRM_REDIRECT_URI'] as const;

const PROVIDER_NEEDS: Record<Env['GEOCODER'], Array<keyof Env>> = {
  dadata: ['DADATA_API_KEY'],
  yandex: ['YANDEX_API_KEY'],
  photon: ['PHOTON_URL'],
  nominatim: ['NOMINATIM_URL'],
  local: [],
};

function parseKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

/** The environment, checked as a whole, turned into what the server is built from. */
export const configSchema = envSchema
  .superRefine((env, ctx) => {
    const present = AMO_VARS.filter((k) => env[k] !== undefined);
    if (present.length > 0 && present.length < AMO_VARS.length) {
      const missing = AMO_VARS.filter((k) => env[k] === undefined);
      ctx.addIssue({ code: 'custom', path: [missing.join(', ')], message: `set together with ${present.join(', ')} (or none of them for demo mode)` });
    }
    // Items being sent each save progress, renew their lease and take their place in the send
    // window while intake and the widget's calls go on: a pool below that makes them queue.
    if (env.DATABASE_URL && env.DATABASE_POOL_SIZE < env.OUTBOX_CONCURRENCY + 3) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_POOL_SIZE'], message: `must be at least OUTBOX_CONCURRENCY + 3 (${env.OUTBOX_CONCURRENCY + 3})` });
    }
    for (const name of PROVIDER_NEEDS[env.GEOCODER]) {
      if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `required when GEOCODER=${env.GEOCODER}` });
    }
  })
  .transform((env) => {
    const amo = env.AMOCRM_CLIENT_ID && env.AMOCRM_CLIENT_SECRET && env.AMOCRM_REDIRECT_URI ? { clientId: env.AMOCRM_CLIENT_ID, clientSecret: env.AMOCRM_CLIENT_SECRET, redirectUri: env.AMOCRM_REDIRECT_URI } : null;
    return {
      env: env.NODE_ENV,
      port: env.PORT,
      host: env.HOST,
      publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
      logLevel: env.LOG_LEVEL,
      /** Typed addresses are customers' personal data: request lines carry only their length unless this is on. */
      logQueries: env.LOG_QUERIES ?? env.NODE_ENV === 'development',
      metricsPort: env.METRICS_PORT ?? null,
      readyMinFreeBytes: env.READY_MIN_FREE_DISK_MB * 1024 * 1024,
      /** null in demo mode: suggestions and the demo page work, the OAuth endpoints answer 503. */
      amo,
      // Anonymous suggestion calls are allowed only in demo mode or when explicitly switched off.
      authRequired: env.AMOCRM_AUTH_REQUIRED ?? amo !== null,
      amoTestBaseUrl: env.AMOCRM_TEST_BASE_URL ?? null,
      databasePath: env.DATABASE_PATH,
      indexDir: env.INDEX_DIR ?? join(dirname(env.DATABASE_PATH), 'index'),
      dataOperators: (env.DATA_OPERATOR_ACCOUNTS ?? '').split(',').map((v) => Number(v.trim())).filter((v) => v > 0),
      data: {
        osmExtractsUrl: env.OSM_EXTRACTS_URL,
        garReleasesUrl: env.GAR_RELEASES_URL,
        osmMaxAgeDays: env.OSM_MAX_AGE_DAYS,
        extractUrls: env.OSM_EXTRACT_URLS ?? {},
        maxDeltaGapDays: env.DATA_MAX_DELTA_GAP_DAYS,
        updateIntervalMs: env.DATA_UPDATE_INTERVAL_HOURS * 3600 * 1000,
        web: {
          redirectHosts: (env.DATA_REDIRECT_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
          maxDownloadBytes: Math.round(env.DATA_MAX_DOWNLOAD_GB * 1e9),
          idleMs: env.DATA_IDLE_TIMEOUT_SECONDS * 1000,
          retryBaseMs: 500,
        },
      },
      databaseUrl: env.DATABASE_URL ?? null,
      databasePoolSize: env.DATABASE_POOL_SIZE,
      tokenKey: env.TOKEN_ENCRYPTION_KEY ? parseKey(env.TOKEN_ENCRYPTION_KEY) : null,
      adminToken: env.ADMIN_TOKEN ?? null,
      geocoder: {
        provider: env.GEOCODER,
        dadataKey: env.DADATA_API_KEY,
        yandexKey: env.YANDEX_API_KEY,
        photonUrl: env.PHOTON_URL,
        nominatimUrl: env.NOMINATIM_URL,
        dadataUrl: env.DADATA_URL,
        yandexSuggestUrl: env.YANDEX_SUGGEST_URL,
        timeoutMs: env.GEOCODER_TIMEOUT_MS,
      },
      map: env.MAP_TILES_URL ? { tilesUrl: env.MAP_TILES_URL, attribution: env.MAP_TILES_ATTRIBUTION ?? null } : null,
      cache: { ttlSeconds: env.SUGGEST_CACHE_TTL_SECONDS, maxBytes: Math.round(env.SUGGEST_CACHE_MAX_MB * 1024 * 1024) },
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      amoApi: {
        ratePerSecond: env.AMOCRM_RATE_PER_SECOND,
        retryBaseMs: env.AMOCRM_RETRY_BASE_MS,
        subscribeWebhooksOnConnect: env.AMOCRM_SUBSCRIBE_WEBHOOKS,
        importAddressesOnConnect: env.AMOCRM_IMPORT_ADDRESSES_ON_CONNECT,
        idleRefreshMs: env.AMOCRM_IDLE_REFRESH_DAYS * 24 * 3600 * 1000,
      },
      clean: { writeBatch: env.CLEAN_WRITE_BATCH },
      outbox: {
        concurrency: env.OUTBOX_CONCURRENCY,
        perAccount: env.OUTBOX_PER_ACCOUNT,
        maxPendingPerAccount: env.OUTBOX_MAX_PENDING_PER_ACCOUNT,
        maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
        leaseMs: env.OUTBOX_LEASE_SECONDS * 1000,
        pollMs: env.OUTBOX_POLL_MS,
        retryBaseMs: env.OUTBOX_RETRY_BASE_MS,
      },
      intakeRateLimitPerMinute: env.INTAKE_RATE_LIMIT_PER_MINUTE,
      webhookRateLimitPerMinute: env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
      siteKeysPerAccount: env.SITE_KEYS_PER_ACCOUNT,
      sqliteSynchronous: env.SQLITE_SYNCHRONOUS,
      accountWriteLimitPerMinute: env.ACCOUNT_WRITE_LIMIT_PER_MINUTE,
      zoneUploadsPerMinute: env.ZONE_UPLOADS_PER_MINUTE,
    };
  });

/** What the server is built from: the schema's output, so the type and the checks cannot drift apart. */
export type Config = z.output<typeof configSchema>;
export type AmoCredentials = NonNullable<Config['amo']>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings (FOO= in .env) mean "not set".
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return parsed.data;
}

/** One row per variable for the configuration table: name, default (as shown) and meaning, in schema order. */
export function configVariables(): Array<{ name: string; shownDefault: string; meaning: string }> {
  return Object.entries(envSchema.shape).map(([name, type]) => {
    const meta = (type.meta() ?? {}) as { description?: string; shownDefault?: string };
    const parsed = (type as z.ZodType).safeParse(undefined);
    const value = parsed.success ? parsed.data : undefined;
    const shownDefault = meta.shownDefault ?? (value === undefined ? '—' : `\`${value}\``);
    return { name, shownDefault, meaning: meta.description ?? '' };
  });
}
