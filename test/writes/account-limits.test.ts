/**
 * One account's users cannot load the shared backend with changes: console changes, write-backs
 * and site keys are limited per account (ACCOUNT_WRITE_LIMIT_PER_MINUTE), and subscription
 * clicks become one job.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, admin, writeEnv, type WriteEnv } from './write-helpers.js';
import { connectAccount, widgetToken } from '../helpers.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv;
});
const B = 36000002;

async function asAdminOf(accountId: number, method: string, path: string, body?: unknown) {
  const token = await widgetToken({ accountId, subdomain: accountId === ACCOUNT ? 'acme' : 'bravo', isAdmin: true });
  return fetch(`${env.app.url}${path}`, { method, headers: { 'content-type': 'application/json', 'X-Auth-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('per-account limits', () => {
  it('300 subscribe / unsubscribe clicks make one waiting job, the last click winning', async () => {
    env = await writeEnv({ ACCOUNT_WRITE_LIMIT_PER_MINUTE: '1000' });
    await env.app.system.worker.stop();
    for (let i = 0; i < 300; i++) expect((await asAdminOf(ACCOUNT, 'POST', '/api/console/webhook', { subscribed: i % 2 === 0 })).status).toBe(202);
    const jobs = (await env.app.system.outbox.list('pending', 1000, ACCOUNT)).filter((item) => item.kind === 'subscribe');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].payload).toEqual({ mode: 'unsubscribe' }); // click 300 (i = 299) was "off"
  });

  it("console changes, write-backs and site keys stop at the account's limit with 429 and Retry-After; another account goes on", async () => {
    env = await writeEnv({ ACCOUNT_WRITE_LIMIT_PER_MINUTE: '3' });
    await env.app.system.worker.stop();
    env.fake.addAccount({ id: B, subdomain: 'bravo', name: 'Bravo' });
    await connectAccount(env.app, env.fake, B, 'bravo');

    const clicks = [];
    for (let i = 0; i < 4; i++) clicks.push((await asAdminOf(ACCOUNT, 'POST', '/api/console/webhook', { subscribed: true })).status);
    expect(clicks).toEqual([202, 202, 202, 429]);
    expect((await asAdminOf(ACCOUNT, 'GET', '/api/console/state')).status).toBe(200); // reading is not limited
    expect((await asAdminOf(B, 'POST', '/api/console/webhook', { subscribed: true })).status).toBe(202);

    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Сделка' });
    const write = async (i: number) =>
      fetch(`${env.app.url}/api/amocrm/leads/${leadId}/address`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Auth-Token': await widgetToken({ accountId: ACCOUNT }) },
        body: JSON.stringify({ fieldId: 762381, value: `г Самара, ул Авроры, д ${100 + i}` }),
      });
    const writes = [];
    for (let i = 0; i < 4; i++) writes.push(await write(i));
    expect(writes.map((r) => r.status)).toEqual([202, 202, 202, 429]);
    expect(Number(writes[3].headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await writes[3].json()).error.code).toBe('rate_limited');

    const keys = [];
    for (let i = 0; i < 4; i++) keys.push((await admin(env.app, 'POST', '/api/admin/site-keys', { accountId: B, name: `s${i}` })).status);
    expect(keys).toEqual([201, 201, 201, 429]);
    expect((await admin(env.app, 'POST', '/api/admin/site-keys', { accountId: ACCOUNT, name: 'own' })).status).toBe(201);
  });
});
