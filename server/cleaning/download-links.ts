/**
 * A report is downloaded by the browser itself (a link, so that the file is saved as a file),
 * and a link carries no X-Auth-Token: the console asks for a link signed for its account, job
 * and file, good for a minute (an HMAC under our client secret; nothing is stored).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DOWNLOAD_PATH = '/api/clean-downloads';
export type DownloadKind = 'report' | 'undo';
const LIFETIME_MS = 60_000;

export class DownloadLinks {
  private readonly origin: string;

  constructor(
    private readonly secret: string,
    publicUrl: string,
    private readonly now: () => number,
  ) {
    this.origin = new URL(publicUrl).origin;
  }

  /** A link (on PUBLIC_URL) to `kind` of the account's job `jobId`, in `lang`. */
  link(accountId: number, jobId: number, kind: DownloadKind, lang: 'ru' | 'en'): string {
    const expires = this.now() + LIFETIME_MS;
    return `${this.origin}${DOWNLOAD_PATH}/${accountId}/${jobId}/${kind}.csv?lang=${lang}&expires=${expires}&sig=${this.sign(accountId, jobId, kind, expires)}`;
  }

  /** True for a link this server made and that has not expired; never throws, whatever the input. */
  verify(accountId: number, jobId: number, kind: DownloadKind, expiresRaw: unknown, sigRaw: unknown): boolean {
    const expires = Number(expiresRaw);
    if (!Number.isSafeInteger(expires) || expires < this.now() || typeof sigRaw !== 'string' || !/^[0-9a-f]{64}$/.test(sigRaw)) return false;
    return timingSafeEqual(Buffer.from(sigRaw, 'hex'), Buffer.from(this.sign(accountId, jobId, kind, expires), 'hex'));
  }

  private sign(accountId: number, jobId: number, kind: DownloadKind, expires: number): string {
    return createHmac('sha256', this.secret).update(`amo-address:clean-download:${accountId}:${jobId}:${kind}:${expires}`).digest('hex');
  }
}
