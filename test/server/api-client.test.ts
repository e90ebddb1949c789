import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { FakeAmoCrm } from '../fakes/fake-amocrm.js';
import { amoEnv, connectAccount, startApp, startFakeAmo, tempDir, type RunningApp } from '../helpers.js';

const ACCOUNT = 35000001;
/** Its own account: the block test leaves it paused, and no other test may depend on running before it. */
const BLOCKED = 35000002;
let fake: FakeAmoCrm;
let app: RunningApp;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  fake = await startFakeAmo({ id: ACCOUNT, subdomain: 'acme', name: 'Acme' }, { id: BLOCKED, subdomain: 'blocked', name: 'Blocked' });
  tmp = tempDir();
  app = await startApp(amoEnv(fake.url, { DATABASE_PATH: join(tmp.dir, 'db.sqlite') }));
  await connectAccount(app, fake, ACCOUNT);
  await connectAccount(app, fake, BLOCKED, 'blocked');
});
afterAll(async () => {
  await app.close();
  tmp.cleanup();
  await fake.stop();
});

const accountCalls = () => fake.count((r) => r.path === '/api/v4/account');

describe('API v4 client', () => {
  it('retries a 429 with an HTML body, a 503 and a connection reset, then succeeds', async () => {
    const before = accountCalls();
    fake.failNext('status429', 'status503', 'reset');
    const account = await app.system.amoApi!.getAccount(ACCOUNT);
    expect(account.id).toBe(ACCOUNT);
    expect(accountCalls() - before).toBe(4);
  }, 30_000);

  it('turns amoCRM’s empty 204 list into null and keeps to the per-account rate', async () => {
    // The limiter is checked on its own clock: the moments it let each request go. Arrival stamps
    // at the fake bunch up when the machine is busy (it shares this event loop); the soak runs
    // (npm run test:soak) check the receiving side with the server as its own process.
    const letGo: number[] = [];
    const limiter = app.system.limiter;
    const acquire = limiter.acquire.bind(limiter);
    limiter.acquire = async (accountId: number) => {
      await acquire(accountId);
      if (accountId === ACCOUNT) letGo.push(performance.timeOrigin + performance.now());
    };
    try {
      const started = Date.now();
      const pages = await Promise.all(Array.from({ length: 7 }, () => app.system.amoApi!.request(ACCOUNT, 'GET', '/api/v4/leads', undefined, { query: { page: 1 } })));
      expect(pages.every((p) => p === null)).toBe(true);
      expect(letGo).toHaveLength(7);
      for (let i = 6; i < letGo.length; i++) expect(letGo[i] - letGo[i - 6]).toBeGreaterThanOrEqual(1000); // never 7 starts within a second
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      limiter.acquire = acquire;
    }
  });

  it('does not retry a 403 (blocked account), stops sending for the account and shows it to the admin', async () => {
    const before = accountCalls();
    fake.failNext('html403');
    await expect(app.system.amoApi!.getAccount(BLOCKED)).rejects.toMatchObject({ code: 'amocrm_blocked', kind: 'blocked' });
    expect(accountCalls() - before).toBe(1);
    await expect(app.system.amoApi!.getAccount(BLOCKED)).rejects.toMatchObject({ code: 'amocrm_blocked' });
    expect(accountCalls() - before).toBe(1); // nothing sent while blocked
    expect((await app.system.accounts.list()).find((a) => a.accountId === BLOCKED)!.lastError).toMatch(/^blocked: amoCRM has blocked API access/);
    await expect(app.system.amoApi!.getAccount(ACCOUNT)).resolves.toMatchObject({ id: ACCOUNT }); // the other account sends on
  });
});
