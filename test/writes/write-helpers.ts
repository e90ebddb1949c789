/** Shared set-up for the write tests: an app with a connected account, a site key and streets to normalise against. */
import { join } from 'node:path';
import { ADMIN_TOKEN, amoEnv, connectAccount, startApp, startFakeAmo, tempDir, type RunningApp } from '../helpers.js';
import type { FakeAmoCrm } from '../fakes/fake-amocrm.js';
import { importIntoIndex } from '../../server/address-data/osm/import-into-index.js';
import { readOpenAddressesCsv } from '../../server/address-data/osm/read-openaddresses-csv.js';

export const ACCOUNT = 36000001;

export interface WriteEnv {
  fake: FakeAmoCrm;
  app: RunningApp;
  tmp: ReturnType<typeof tempDir>;
  dbPath: string;
  close(): Promise<void>;
}

/** Fast retries so that fault tests finish in seconds; the limits stay as configured. */
export const FAST_RETRIES = { AMOCRM_RETRY_BASE_MS: '20', OUTBOX_RETRY_BASE_MS: '50', OUTBOX_POLL_MS: '50', OUTBOX_MAX_ATTEMPTS: '30' };

export async function writeEnv(extra: Record<string, string> = {}, options: { connect?: boolean } = {}): Promise<WriteEnv> {
  const fake = await startFakeAmo({ id: ACCOUNT, subdomain: 'acme', name: 'Acme' });
  const tmp = tempDir();
  const dbPath = join(tmp.dir, 'db.sqlite');
  const app = await startApp(amoEnv(fake.url, { DATABASE_PATH: dbPath, PUBLIC_URL: 'http://127.0.0.1:1', ...FAST_RETRIES, ...extra }));
  await importIntoIndex(app.system.config.indexDir, readOpenAddressesCsv('test/fixtures/samara-sample.csv'), 'import:samara');
  app.system.servedIndex.refresh();
  if (options.connect !== false) await connectAccount(app, fake, ACCOUNT);
  return {
    fake,
    app,
    tmp,
    dbPath,
    close: async () => {
      await app.close();
      await fake.stop();
      tmp.cleanup();
    },
  };
}

export const admin = (app: RunningApp, method: string, path: string, body?: unknown) =>
  fetch(`${app.url}${path}`, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

export async function createSiteKey(app: RunningApp, accountId = ACCOUNT): Promise<string> {
  const res = await admin(app, 'POST', '/api/admin/site-keys', { accountId, name: 'shop' });
  if (res.status !== 201) throw new Error(`site key: ${res.status}`);
  return (await res.json()).key;
}

export const postLead = (url: string, key: string, body: unknown) =>
  fetch(`${url}/api/leads`, { method: 'POST', headers: { 'X-Api-Key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

export const fieldValue = (entity: Record<string, unknown> | undefined, fieldId: number) =>
  ((entity?.custom_fields_values as Array<{ field_id?: number; values: Array<{ value: unknown }> }> | null) ?? []).find((f) => f.field_id === fieldId)?.values[0]?.value;
