/**
 * Webhook events seen, by a hash of their content: amoCRM repeats a webhook it thinks failed
 * (reference §7), and a repeat must not queue the same work twice.
 */
import type { Sql } from './sql.js';

export class WebhookEventsRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Records the event and, only if it is new, runs `then` in the same transaction (the outbox
   * item that processes it), so an event is either stored with its work or not at all.
   */
  recordOnce(hash: string, accountId: number, now: number, then: (tx: Sql) => Promise<unknown>): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      if ((await tx.run('INSERT INTO webhook_events (hash, account_id, received_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING', [hash, accountId, now])) === 0) return false;
      await then(tx);
      return true;
    });
  }

  /** Hashes older than `keepMs` are dropped: amoCRM retries within hours, not weeks. */
  purge(now: number, keepMs: number): Promise<number> {
    return this.sql.run('DELETE FROM webhook_events WHERE received_at < ?', [now - keepMs]);
  }
}
