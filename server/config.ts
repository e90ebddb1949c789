/**
 * The only reader of process.env. One zod schema documents every variable; a bad value stops
 * start-up with a message that names the variable and what it expects.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: httpUrl.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  AMOCRM_CLIENT_ID: z.uuid({ message: 'expected the integration ID (a UUID) from amoCRM' }).optional(),
  AMOCRM_CLIENT_SECRET: z.string().min(16, 'expected the secret key from amoCRM').optional(),
  AMOCRM_REDIRECT_URI: httpUrl.optional(),
  AMOCRM_AUTH_REQUIRED: bool.optional(),
  /** Test-only: send every amoCRM request to this loopback origin (the fake amoCRM). */
  AMOCRM_TEST_BASE_URL: httpUrl
    .refine((u) => LOOPBACK_HOSTS.has(new URL(u).hostname), 'only loopback origins are accepted')
    .optional(),

  DATABASE_PATH: z.string().min(1).default('./data/amo-address.db'),
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine(
      (v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32,
      'expected 32 bytes as 64 hex characters or base64 (openssl rand -hex 32)',
    )
    .optional(),
  ADMIN_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),

  GEOCODER: z.enum(['local', 'dadata', 'yandex', 'photon', 'nominatim']).default('local'),
  DADATA_API_KEY: z.string().min(1).optional(),
  YANDEX_API_KEY: z.string().min(1).optional(),
  PHOTON_URL: httpUrl.optional(),
  NOMINATIM_URL: httpUrl
    .refine(
      (u) => !/(^|\.)nominatim\.openstreetmap\.org$/i.test(new URL(u).hostname),
      'the public Nominatim server forbids autocomplete: point this at your own Nominatim',
    )
    .optional(),
  /** Test-only overrides of the hosted providers' endpoints (fake providers on loopback). */
  DADATA_URL: httpUrl.optional(),
  YANDEX_SUGGEST_URL: httpUrl.optional(),
  GEOCODER_TIMEOUT_MS: z.coerce.number().int().min(50).max(30000).default(1500),
  SUGGEST_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86400).default(600),
  SUGGEST_CACHE_MAX_MB: z.coerce.number().min(0).max(4096).default(64),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(600),

  /** amoCRM allows 7 requests/s per integration (reference §6); we stay below it. */
  AMOCRM_RATE_PER_SECOND: z.coerce.number().min(0.1).max(1000).default(6),
  AMOCRM_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60000).default(500),
  AMOCRM_SUBSCRIBE_WEBHOOKS: bool.default(false),
  AMOCRM_IMPORT_ADDRESSES_ON_CONNECT: bool.default(true),
  AMOCRM_IDLE_REFRESH_DAYS: z.coerce.number().min(1).max(80).default(7),
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60000).default(500),
  OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(5000),
  INTAKE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
});

type Env = z.infer<typeof schema>;

export interface AmoCredentials {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  publicUrl: string;
  logLevel: Env['LOG_LEVEL'];
  /** null in demo mode: suggestions and the demo page work, the OAuth endpoints answer 503. */
  amo: AmoCredentials | null;
  authRequired: boolean;
  amoTestBaseUrl: string | null;
  databasePath: string;
  tokenKey: Buffer | null;
  adminToken: string | null;
  geocoder: {
    provider: Env['GEOCODER'];
    dadataKey?: string;
    yandexKey?: string;
    photonUrl?: string;
    nominatimUrl?: string;
    dadataUrl?: string;
    yandexSuggestUrl?: string;
    timeoutMs: number;
  };
  cache: { ttlSeconds: number; maxBytes: number };
  rateLimitPerMinute: number;
  amoApi: { ratePerSecond: number; retryBaseMs: number; subscribeWebhooksOnConnect: boolean; importAddressesOnConnect: boolean; idleRefreshMs: number };
  outbox: { concurrency: number; maxAttempts: number; leaseMs: number; pollMs: number; retryBaseMs: number };
  intakeRateLimitPerMinute: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

const PROVIDER_NEEDS: Record<string, Array<keyof Env>> = {
  dadata: ['DADATA_API_KEY'],
  yandex: ['YANDEX_API_KEY'],
  photon: ['PHOTON_URL'],
  nominatim: ['NOMINATIM_URL'],
  local: [],
};

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings (FOO= in .env) mean "not set".
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  const problems: string[] = [];

  const amoVars = ['AMOCRM_CLIENT_ID', 'AMOCRM_CLIENT_SECRET', 'AMOCRM_REDIRECT_URI'] as const;
  const present = amoVars.filter((k) => env[k] !== undefined);
  if (present.length > 0 && present.length < amoVars.length) {
    const missing = amoVars.filter((k) => env[k] === undefined);
    problems.push(`${missing.join(', ')}: set together with ${present.join(', ')} (or none of them for demo mode)`);
  }
  for (const name of PROVIDER_NEEDS[env.GEOCODER]) {
    if (env[name] === undefined) problems.push(`${name}: required when GEOCODER=${env.GEOCODER}`);
  }
  if (problems.length) throw new ConfigError(problems);

  const amo =
    present.length === amoVars.length
      ? { clientId: env.AMOCRM_CLIENT_ID!, clientSecret: env.AMOCRM_CLIENT_SECRET!, redirectUri: env.AMOCRM_REDIRECT_URI! }
      : null;
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    logLevel: env.LOG_LEVEL,
    amo,
    // Anonymous suggestion calls are allowed only in demo mode or when explicitly switched off.
    authRequired: env.AMOCRM_AUTH_REQUIRED ?? amo !== null,
    amoTestBaseUrl: env.AMOCRM_TEST_BASE_URL ?? null,
    databasePath: env.DATABASE_PATH,
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
    cache: { ttlSeconds: env.SUGGEST_CACHE_TTL_SECONDS, maxBytes: Math.round(env.SUGGEST_CACHE_MAX_MB * 1024 * 1024) },
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    amoApi: {
      ratePerSecond: env.AMOCRM_RATE_PER_SECOND,
      retryBaseMs: env.AMOCRM_RETRY_BASE_MS,
      subscribeWebhooksOnConnect: env.AMOCRM_SUBSCRIBE_WEBHOOKS,
      importAddressesOnConnect: env.AMOCRM_IMPORT_ADDRESSES_ON_CONNECT,
      idleRefreshMs: env.AMOCRM_IDLE_REFRESH_DAYS * 24 * 3600 * 1000,
    },
    outbox: {
      concurrency: env.OUTBOX_CONCURRENCY,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      leaseMs: env.OUTBOX_LEASE_SECONDS * 1000,
      pollMs: env.OUTBOX_POLL_MS,
      retryBaseMs: env.OUTBOX_RETRY_BASE_MS,
    },
    intakeRateLimitPerMinute: env.INTAKE_RATE_LIMIT_PER_MINUTE,
  };
}
