/**
 * Starts the real app (real SQLite file, real HTTP server on 127.0.0.1) with a config built from
 * an env object, the same way main.ts does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/log.js';
import { compose, type System } from '../server/compose.js';
import { createApp } from '../server/app.js';
import type { Clock } from '../server/clock.js';
import { FakeAmoCrm, type FakeAccount } from './fakes/fake-amocrm.js';
import { importIntoIndex } from '../server/address-data/osm/import-into-index.js';
import { readOpenAddressesCsv } from '../server/address-data/osm/read-openaddresses-csv.js';

export const CLIENT_ID = '3f1c2f5e-7a2b-4c1d-9e8f-0a1b2c3d4e5f';
export const CLIENT_SECRET = 'test-client-secret-0123456789abcdef';
export const REDIRECT_URI = 'https://amo-address.example.test/api/auth/amocrm/callback';
export const TOKEN_KEY = 'a'.repeat(64);
export const ADMIN_TOKEN = 'admin-token-0123456789';

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'amo-address-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Captures log lines so tests can prove no secret reaches them. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.lines.join('');
  }
}

export interface RunningApp {
  url: string;
  system: System;
  logs: LogCapture;
  close(): Promise<void>;
}

export function amoEnv(fakeUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    AMOCRM_CLIENT_ID: CLIENT_ID,
    AMOCRM_CLIENT_SECRET: CLIENT_SECRET,
    AMOCRM_REDIRECT_URI: REDIRECT_URI,
    AMOCRM_TEST_BASE_URL: fakeUrl,
    TOKEN_ENCRYPTION_KEY: TOKEN_KEY,
    ADMIN_TOKEN,
    // Off unless a test is about it: its API calls would mix into other tests' request counts.
    AMOCRM_IMPORT_ADDRESSES_ON_CONNECT: 'false',
    ...extra,
  };
}

export async function startApp(env: Record<string, string>, options: { clock?: Clock; defaultMetrics?: boolean } = {}): Promise<RunningApp> {
  const config = loadConfig({ LOG_LEVEL: 'info', ...env });
  const logs = new LogCapture();
  const log = createLogger(config.logLevel, { destination: logs });
  const system = await compose(config, log, { defaultMetrics: false, ...options });
  system.start();
  const server: Server = createServer(createApp(system));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    system,
    logs,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await system.stop();
    },
  };
}

/** A disposable token as amoCRM's $authorizedAjax sends it (reference §5). */
export async function widgetToken(
  claims: { accountId: number; subdomain?: string; userId?: number; expiresIn?: number | string; notBefore?: number; audience?: string; secret?: string; clientUuid?: string; isAdmin?: boolean; data?: Record<string, unknown> },
): Promise<string> {
  const sub = claims.subdomain ?? 'acme';
  const jwt = new SignJWT({ account_id: claims.accountId, subdomain: sub, user_id: claims.userId ?? 7, client_uuid: claims.clientUuid ?? CLIENT_ID, is_admin: claims.isAdmin ?? true, ...(claims.data ? { data: claims.data } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`https://${sub}.amocrm.ru`)
    .setAudience(claims.audience ?? new URL(REDIRECT_URI).origin)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '30m');
  if (claims.notBefore !== undefined) jwt.setNotBefore(claims.notBefore);
  return jwt.sign(new TextEncoder().encode(claims.secret ?? CLIENT_SECRET));
}

/** A started fake amoCRM that knows our integration and the given accounts. */
export async function startFakeAmo(...accounts: FakeAccount[]): Promise<FakeAmoCrm> {
  const fake = await new FakeAmoCrm({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI }).start();
  for (const account of accounts) fake.addAccount(account);
  return fake;
}

/** Connects an account the way amoCRM does: a fresh code sent to our callback. */
export async function connectAccount(app: RunningApp, fake: FakeAmoCrm, accountId: number, subdomain = 'acme'): Promise<void> {
  const res = await fetch(`${app.url}/api/auth/amocrm/callback?code=${fake.issueCode(accountId)}&referer=${subdomain}.amocrm.ru`);
  if (res.status !== 200) throw new Error(`connect ${accountId} failed: ${res.status} ${await res.text()}`);
}

/**
 * The real app (demo mode unless `env` says otherwise) on its own SQLite file, its index holding
 * the small real street sample test/fixtures/samara-sample.csv; `close` also removes the folder.
 */
export async function startSamaraApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const tmp = tempDir();
  const app = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp.dir, 'db.sqlite'), ...env });
  await importIntoIndex(app.system.config.indexDir, readOpenAddressesCsv('test/fixtures/samara-sample.csv'), 'import:samara');
  app.system.servedIndex.refresh();
  return {
    ...app,
    close: async () => {
      await app.close();
      tmp.cleanup();
    },
  };
}

