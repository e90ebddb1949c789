/**
 * A zip archive on a web server, read by byte ranges (HTTP Range): yauzl reads its table of
 * contents from the end of the file and then only the entries asked for, so one region of the
 * registry's 57 GB full archive costs that region's bytes, not the archive's. A range cut short
 * is asked for again from the byte where it stopped.
 */
import yauzl from 'yauzl';
import { PassThrough, Readable } from 'node:stream';
import { DataError } from '../index-build.js';
import { stalling } from '../download.js';

const ATTEMPTS = 5;

class HttpRangeReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly url: string,
    private readonly onBytes?: (bytes: number) => void,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    let at = start;
    const next = async (attempt: number): Promise<void> => {
      try {
        const res = await fetch(this.url, { headers: { Range: `bytes=${at}-${end - 1}` }, signal: AbortSignal.timeout(120_000) });
        if (res.status !== 206) throw new DataError(`${this.url}: the server answered ${res.status} to a byte range; the mirror must serve byte ranges (Accept-Ranges: bytes)`);
        for await (const chunk of stalling(Readable.fromWeb(res.body as never), 60_000) as AsyncIterable<Buffer>) {
          at += chunk.length;
          this.onBytes?.(chunk.length);
          if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
        }
        if (at < end) throw new Error(`the range ended at ${at} of ${end}`);
        out.end();
      } catch (error) {
        if (error instanceof DataError || attempt >= ATTEMPTS) {
          out.destroy(error instanceof DataError ? error : new DataError(`${this.url}: cut ${ATTEMPTS} times (${(error as Error).message}); run the command again`));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
        return next(attempt + 1);
      }
    };
    void next(1);
    return out;
  }
}

/** yauzl's ZipFile over a URL; the server must give the size and serve byte ranges. */
export async function openRemoteZip(url: string, onBytes?: (bytes: number) => void): Promise<yauzl.ZipFile> {
  let size: number;
  try {
    const head = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(60_000) });
    if (head.status === 404) throw new DataError(`${url}: not found (404); check GAR_RELEASES_URL`);
    if (!head.ok) throw new DataError(`${url}: the server answered ${head.status}; try again later`);
    if (head.headers.get('accept-ranges') !== 'bytes') throw new DataError(`${url}: the server does not serve byte ranges (no Accept-Ranges: bytes); download the archive and run npm run import:gar on the file`);
    size = Number(head.headers.get('content-length'));
    if (!Number.isFinite(size) || size <= 0) throw new DataError(`${url}: the server gives no size for the archive`);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${url}: could not be reached (${(error as Error).message}); check GAR_RELEASES_URL and the network`);
  }
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(new HttpRangeReader(url, onBytes), size, { lazyEntries: true, autoClose: false, decodeStrings: true }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );
}
