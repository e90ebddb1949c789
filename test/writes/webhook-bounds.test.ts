/**
 * No account's webhooks can crowd the others out: a flood joins the account's waiting item while
 * no worker has taken it, an account has at most WEBHOOK_ITEMS_WAITING items of at most
 * WEBHOOK_ITEM_IDS ids waiting (then 429 with Retry-After: amoCRM delivers again later, and that
 * delivery is taken), and the parser takes accounts in turn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, writeEnv, type WriteEnv } from './write-helpers.js';
import { connectAccount } from '../helpers.js';
import { WEBHOOK_ITEM_IDS, WEBHOOK_ITEMS_WAITING } from '../../server/writes/webhook-inbox.js';
import { FairQueue } from '../../server/http/fair-queue.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv;
});

const hookUrl = (accountId = ACCOUNT) => env.app.system.webhookUrls!.destination(accountId).replace('http://127.0.0.1:1', env.app.url);
/** A delivery naming lead ids `from`…`from + n - 1` (ids only, as amoCRM's `leads[update][i][id]`). */
function body(accountId: number, from: number, n: number): string {
  const params = new URLSearchParams();
  for (let i = 0; i < n; i++) params.set(`leads[update][${i}][id]`, String(from + i));
  params.set('account[id]', String(accountId));
  return params.toString();
}
const deliver = (text: string, url = hookUrl()) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: text });
const waiting = async (accountId = ACCOUNT) => (await env.app.system.outbox.list('pending')).filter((i) => i.accountId === accountId && i.kind === 'webhook');

describe('webhook items are bounded per account', () => {
  it('small deliveries join one waiting item; big ones fill at most the cap, then 429 with Retry-After; another account goes on', async () => {
    env = await writeEnv({ WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000' });
    await env.app.system.worker.stop(); // nothing is taken: everything waits
    for (let i = 0; i < 30; i++) expect((await deliver(body(ACCOUNT, 1000 + i, 1))).status).toBe(200);
    const joined = await waiting();
    expect(joined).toHaveLength(1);
    expect((joined[0].payload as { changed: { leads: number[] } }).changed.leads).toHaveLength(30);

    // Deliveries of 4,989 ids each, as the probe sent: each its own item until the cap.
    let refused: Response | null = null;
    let accepted = 0;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await deliver(body(ACCOUNT, 100_000 + i * 5000, 4989));
      if (res.status === 200) accepted++;
      else refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused!.json()).error.message).toMatch(/amoCRM will deliver again later/);
    const items = await waiting();
    expect(items.length).toBe(WEBHOOK_ITEMS_WAITING);
    for (const item of items) expect((item.payload as { changed: { leads: number[] } }).changed.leads.length).toBeLessThanOrEqual(WEBHOOK_ITEM_IDS);
    expect(accepted).toBe(WEBHOOK_ITEMS_WAITING - 1); // the first item already held the 30 small ones
    // The refused delivery was not recorded: the same bytes again are taken once there is room.
    const B = 36000002;
    env.fake.addAccount({ id: B, subdomain: 'bravo', name: 'Bravo' });
    await connectAccount(env.app, env.fake, B, 'bravo');
    expect((await deliver(body(B, 1, 5), hookUrl(B))).status).toBe(200);
    expect(await waiting(B)).toHaveLength(1);
  });
});

describe('the webhook parser takes accounts in turn', () => {
  it("one account's queue never holds another's task behind it; each account's queue is bounded", async () => {
    const queue = new FairQueue({ perAccount: 3, total: 10 });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const task = (name: string, wait?: Promise<void>) => async () => {
      await wait;
      order.push(name);
      return name;
    };
    const a1 = queue.run(1, task('a1', gate));
    const rest = [queue.run(1, task('a2')), queue.run(1, task('a3')), queue.run(1, task('a4'))];
    expect(await queue.run(1, task('a5'))).toBeNull(); // account 1's queue is full…
    const b1 = queue.run(2, task('b1'));
    release();
    expect(await Promise.all([a1, b1, ...rest])).toEqual(['a1', 'b1', 'a2', 'a3', 'a4']);
    expect(order).toEqual(['a1', 'b1', 'a2', 'a3', 'a4']); // …and account 2 went right after the task running
  });
});
