/**
 * Webhook events seen, by a hash of their content: amoCRM repeats a webhook it thinks failed
 * (reference §7), and a repeat must not queue the same work twice.
 */
import type { Db } from './database.js';

export class WebhookEventsRepository {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO webhook_events (hash, account_id, received_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING');
  }

  /**
   * Records the event and, only if it is new, runs `then` in the same transaction (the outbox
   * item that processes it), so an event is either stored with its work or not at all.
   */
  recordOnce(hash: string, accountId: number, now: number, then: () => void): boolean {
    return this.db.transaction(() => {
      if (this.insert.run(hash, accountId, now).changes === 0) return false;
      then();
      return true;
    })();
  }

  /** Hashes older than `keepMs` are dropped: amoCRM retries within hours, not weeks. */
  purge(now: number, keepMs: number): number {
    return this.db.prepare('DELETE FROM webhook_events WHERE received_at < ?').run(now - keepMs).changes;
  }
}
