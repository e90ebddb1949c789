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
  private reconnecting = false;

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
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      void client.end().catch(() => {});
      this.reconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  /** Tries again every second until the server answers (or the feed is closed). */
  private reconnect(): void {
    if (this.closed || this.reconnecting) return;
    this.reconnecting = true;
    setTimeout(() => {
      this.reconnecting = false;
      if (!this.closed) this.start().catch(() => this.reconnect());
    }, 1000).unref();
  }

  async publish(accountId: number): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, String(accountId)]);
  }

  subscribe(listener: (accountId: number) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
