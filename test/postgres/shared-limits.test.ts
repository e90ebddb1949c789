/**
 * The parts several instances share in PostgreSQL, each with its own pool as separate processes
 * would have: the send window for amoCRM, and the change feed between instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PostgresSql } from '../../server/store/postgres/postgres-sql.js';
import { migratePostgres } from '../../server/store/postgres/migrate.js';
import { NotifyFeed } from '../../server/store/postgres/notify-feed.js';
import { SendStartsRepository } from '../../server/store/send-starts-repository.js';
import { SharedRateLimiter } from '../../server/amo/shared-rate-limiter.js';
import { eventually } from '../writes/write-helpers.js';
import { freshDatabase, postgresUrl } from './databases.js';

describe.skipIf(!postgresUrl)('what instances share in PostgreSQL', () => {
  let url: string;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    url = await freshDatabase();
    await migratePostgres(url);
    for (let i = 0; i < 3; i++) pools.push(new pg.Pool({ connectionString: url, max: 4 }));
  });
  afterAll(() => Promise.all(pools.map((p) => p.end())));

  it('three limiters of 10/s on one account start at most 10 requests in any second together, and use the rate', async () => {
    // Every start the limiters take, as the database stamped it (the limiter's own clock): what
    // the client sees comes a round trip later, and on a busy machine bunched.
    await pools[0].query(`CREATE TABLE start_log (bucket TEXT, at DOUBLE PRECISION);
      CREATE FUNCTION log_start() RETURNS trigger AS $$ BEGIN INSERT INTO start_log VALUES (NEW.bucket, NEW.at); RETURN NEW; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER log_start AFTER INSERT ON send_starts FOR EACH ROW EXECUTE FUNCTION log_start();`);
    const limiters = pools.map((pool) => new SharedRateLimiter(10, new SendStartsRepository(new PostgresSql(pool))));
    const began = Date.now();
    await Promise.all(Array.from({ length: 45 }, (_, i) => limiters[i % 3].acquire(7)));
    const seconds = (Date.now() - began) / 1000;
    const starts = (await pools[0].query("SELECT at FROM start_log WHERE bucket = 'amo:7' ORDER BY at")).rows.map((r) => r.at as number);
    expect(starts).toHaveLength(45);
    const busiest = Math.max(...starts.map((t) => starts.filter((s) => s >= t && s < t + 1000).length));
    expect(busiest).toBeLessThanOrEqual(10);
    // 45 starts at 10/s (a window 20 ms wider than a second): the last about 4.4 s after the first.
    expect((starts.at(-1)! - starts[0]) / 1000).toBeGreaterThan(4);
    expect(seconds).toBeLessThan(8);
    // Another account has its own window.
    const other = Date.now();
    await limiters[0].acquire(8);
    expect(Date.now() - other).toBeLessThan(200);
  });

  it('the change feed reaches every other instance, and comes back after its connection is cut', async () => {
    const feeds = [new NotifyFeed(url, pools[0]), new NotifyFeed(url, pools[1])];
    try {
      for (const feed of feeds) await feed.start();
      const heard: number[] = [];
      feeds[1].subscribe((accountId) => heard.push(accountId));
      await feeds[0].publish(36000001);
      await eventually(() => heard.includes(36000001), 'the other instance heard it', 5_000);
      // The server drops the listening connection (a restart, a network cut): it listens again.
      await pools[0].query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()");
      await eventually(async () => {
        await feeds[0].publish(36000002);
        return heard.includes(36000002);
      }, 'heard again after reconnecting', 10_000);
    } finally {
      await Promise.all(feeds.map((f) => f.close()));
    }
  });
});
