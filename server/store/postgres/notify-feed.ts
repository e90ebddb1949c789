/**
 * The change feed across instances: NOTIFY on one channel, a LISTEN connection per instance that
 * comes back after the server drops it. A notification missed while it was away only means a
 * cached suggestion lives out its TTL.
 */
import pg from 'pg';
import type { ChangeFeed } from '../change-feed.js';

const CHANNEL = 'amo_address_changes';

export class NotifyFeed implements ChangeFeed {
  private readonly listeners: Array<(accountId: number) => void> = [];
  private client: pg.Client | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      const accountId = Number(message.payload);
      if (Number.isSafeInteger(accountId)) for (const listener of this.listeners) listener(accountId);
    });
    client.on('error', () => this.restart(client));
    client.on('end', () => this.restart(client));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  private restart(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    setTimeout(() => void this.start().catch(() => this.restart(client)), 1000).unref();
  }

  async publish(accountId: number): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, String(accountId)]);
  }

  subscribe(listener: (accountId: number) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
  }
}
