/**
 * A clean job survives its server: the real server as its own process is killed (SIGKILL) while
 * it writes, started again on the same database, and the job goes on from where it stopped —
 * every chosen lead written, none twice, and the undo still has every old value.
 */
import { afterEach, expect, it } from 'vitest';
import { ACCOUNT, eventually, fieldValue, writeEnv, type WriteEnv } from '../writes/write-helpers.js';
import { widgetToken } from '../helpers.js';
import { hasRealdata } from '../realdata.js';
import { children, startServer } from '../soak/soak-helpers.js';
import { addressField, handTyped, importRealHouses } from './clean-helpers.js';
import type { CleanJob } from '../../contract/cleaning.js';

let env: WriteEnv;
afterEach(async () => {
  children.splice(0).forEach((c) => c.kill('SIGKILL'));
  await env?.close();
});

it.skipIf(!hasRealdata)('killed while writing, started again: the job finishes, each lead written once and undoable', async () => {
  env = await writeEnv();
  const houses = await importRealHouses(env.app);
  await env.app.close(); // the index and the connection stay in the files; the server runs as its own process now
  const ids = Array.from({ length: 400 }, (_, i) => env.fake.addEntity(ACCOUNT, 'leads', { name: 'Заказ', custom_fields_values: addressField(handTyped(houses[i % houses.length], 'noCity', i)) }));
  const typedBefore = new Map(ids.map((id) => [id, fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(id), 762381)]));
  // A short lease: the killed server's turn is taken up again in seconds, not minutes.
  const settings = { OUTBOX_LEASE_SECONDS: '2', RATE_LIMIT_PER_MINUTE: '100000', ACCOUNT_WRITE_LIMIT_PER_MINUTE: '100000', AMOCRM_IMPORT_ADDRESSES_ON_CONNECT: 'false' };
  let server = await startServer(env, settings);
  const token = await widgetToken({ accountId: ACCOUNT, isAdmin: true });
  const call = async (method: string, path: string, body?: unknown) => (await (await fetch(`${server.url}/api/console/clean${path}`, { method, headers: { 'X-Auth-Token': token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })).json()) as { job: CleanJob };
  const { job } = await call('POST', '', { entity: 'leads' });
  await eventually(async () => (await call('GET', `/${job.id}`)).job.status === 'checked', 'checked', 60_000);
  env.fake.latencyMs = 30; // batches long enough to be cut
  await call('POST', `/${job.id}/apply`);
  await eventually(() => env.fake.batchPatches >= 2, 'two batches written', 60_000);
  server.child.kill('SIGKILL');
  await new Promise((r) => server.child.once('exit', r));
  const writtenBeforeKill = env.fake.patches.length;
  expect(writtenBeforeKill).toBeLessThan(400);

  server = await startServer(env, settings);
  await eventually(async () => (await call('GET', `/${job.id}`)).job.status === 'applied', 'applied after the restart', 90_000);
  const done = (await call('GET', `/${job.id}`)).job;
  expect(done.applied).toBe(400);
  const written = env.fake.patches.map((p) => p.id);
  expect(new Set(written).size).toBe(400);
  expect(written).toHaveLength(400); // not one twice, wherever in a batch the kill landed
  env.fake.latencyMs = 0;
  await call('POST', `/${job.id}/undo`);
  await eventually(async () => (await call('GET', `/${job.id}`)).job.status === 'undone', 'undone', 90_000);
  for (const id of ids) expect(fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(id), 762381)).toBe(typedBefore.get(id));
}, 240_000);
