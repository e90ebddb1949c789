/**
 * Each account's own webhook URL: `<PUBLIC_URL>/api/amocrm/webhooks/<account id>/<secret>`, the
 * secret an HMAC of the account id under our client secret. amoCRM signs no webhook and every
 * admin of an account can read its destinations (`GET /api/v4/webhooks`, reference §7), so a URL
 * shared by all accounts would let one account's admin post events for another; this one is
 * only good for its own account, and nothing needs storing to check it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_PATH = '/api/amocrm/webhooks/';

export class WebhookUrls {
  private readonly origin: string;

  constructor(
    private readonly clientSecret: string,
    publicUrl: string,
  ) {
    this.origin = new URL(publicUrl).origin;
  }

  destination(accountId: number): string {
    return `${this.origin}${WEBHOOK_PATH}${accountId}/${this.secret(accountId)}`;
  }

  /** The account a (path account id, secret) pair belongs to, or null; never throws, whatever the input. */
  verify(accountIdRaw: string, given: string): number | null {
    if (!/^\d{1,15}$/.test(accountIdRaw) || !/^[0-9a-f]{32}$/.test(given)) return null;
    const accountId = Number(accountIdRaw);
    return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(this.secret(accountId), 'hex')) ? accountId : null;
  }

  /** A destination this installation subscribed (any account's, or the old shared URL). */
  isOurs(destination: string): boolean {
    try {
      const url = new URL(destination);
      return url.origin === this.origin && url.pathname.startsWith(WEBHOOK_PATH);
    } catch {
      return false;
    }
  }

  private secret(accountId: number): string {
    return createHmac('sha256', this.clientSecret).update(`amo-address:webhooks:${accountId}`).digest('hex').slice(0, 32);
  }
}
