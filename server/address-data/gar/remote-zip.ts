/**
 * A zip archive on a web server, read by byte ranges (HTTP Range): one region of the registry's
 * 57 GB full archive costs that region's bytes, not the archive's.
 *
 * The table of contents costs three requests whatever the number of entries: a probe
 * (`Range: bytes=0-0`: a 206 with Content-Range is what counts, whether or not the server
 * advertises Accept-Ranges; RFC 9110 §14.4), the archive's tail (the end record, zip64 locator
 * and record: APPNOTE 4.3.14–4.3.16) and the central directory in one range. yauzl then reads them
 * from memory; only the entries asked for go back to the network. A range cut short is asked for
 * again from the byte where it stopped, with web-fetch.ts's pauses.
 */
import yauzl from 'yauzl';
import { PassThrough, Readable } from 'node:stream';
import { DataError } from '../index-build.js';
import { backoff, DEFAULT_WEB, rangeTotal, retryable, webRequest, type WebPolicy } from '../web-fetch.js';

const ATTEMPTS = 5;
/** The end record's search window (yauzl's: 22 bytes and a comment of up to 64 KB) and the zip64 locator and record before it. */
const TAIL = 22 + 0xffff + 20 + 56;
/** A central directory past this is not a registry archive's (the real one, 1,700 entries, is about 250 KB). */
const MAX_DIRECTORY = 64 * 1024 * 1024;

class HttpRangeReader extends yauzl.RandomAccessReader {
  private readonly held: Array<{ start: number; bytes: Buffer }> = [];

  constructor(
    private readonly url: string,
    private readonly web: WebPolicy,
    private readonly onBytes?: (bytes: number) => void,
  ) {
    super();
  }

  /** Bytes already read (the tail, the central directory): yauzl's reads inside them need no request. */
  hold(start: number, bytes: Buffer): void {
    this.held.push({ start, bytes });
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const kept = this.held.find((h) => start >= h.start && end <= h.start + h.bytes.length);
    if (kept) return Readable.from([kept.bytes.subarray(start - kept.start, end - kept.start)]);
    const out = new PassThrough();
    streamRange(this.url, this.web, start, end, out, this.onBytes).then(
      () => out.end(),
      (error: Error) => out.destroy(error),
    );
    return out;
  }
}

/** Bytes [start, end) into `out`, resuming a cut range where it stopped. */
async function streamRange(url: string, web: WebPolicy, start: number, end: number, out: PassThrough, onBytes?: (bytes: number) => void): Promise<void> {
  let at = start;
  let failures = 0;
  while (at < end) {
    const before = at;
    try {
      const { res, body } = await webRequest(url, web, { headers: { Range: `bytes=${at}-${end - 1}` } });
      if (res.status !== 206) {
        body?.destroy();
        if (res.status >= 500 || res.status === 429) throw new Error(`the server answered ${res.status}`);
        throw new DataError(`${url}: the server answered ${res.status} to a byte range; the mirror must serve byte ranges`);
      }
      for await (const chunk of body! as AsyncIterable<Buffer>) {
        const usable = chunk.subarray(0, end - at);
        at += usable.length;
        onBytes?.(usable.length);
        if (!out.write(usable)) await new Promise((resolve) => (out.once('drain', resolve), out.once('close', resolve)));
        // The reader stopped reading (yauzl closes a stream it no longer needs): so does the request.
        if (at >= end || out.destroyed) break;
      }
      if (out.destroyed) return;
      if (at < end) throw new Error(`the range ended at byte ${at} of ${end}`);
    } catch (error) {
      if (!retryable(error)) throw error;
      failures = at > before ? 1 : failures + 1;
      if (failures >= ATTEMPTS) throw new DataError(`${url}: a byte range failed ${ATTEMPTS} times in a row (${(error as Error).message}); run the command again, or check the mirror and the network`);
      await backoff(web, failures);
    }
  }
}

async function readRange(url: string, web: WebPolicy, start: number, end: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await streamRange(url, web, start, end, out);
  return Buffer.concat(chunks);
}

/** The archive's size, from a one-byte range (a 206's Content-Range: "bytes 0-0/<size>"), retried as a range is. */
async function probeSize(url: string, web: WebPolicy): Promise<number> {
  for (let failures = 1; ; failures++) {
    try {
      const { res, body } = await webRequest(url, web, { headers: { Range: 'bytes=0-0' } });
      body?.destroy();
      if (res.status === 404) throw new DataError(`${url}: not found (404); check GAR_RELEASES_URL`);
      if (res.status === 200) throw new DataError(`${url}: the server does not serve byte ranges (it answered a one-byte range with the whole file); download the archive and run npm run import:gar on the file`);
      if (res.status >= 500 || res.status === 429) throw new Error(`the server answered ${res.status}`);
      if (res.status !== 206) throw new DataError(`${url}: the server answered ${res.status}; try again later`);
      const size = rangeTotal(res);
      if (size === null) throw new DataError(`${url}: the server gives no size for the archive (Content-Range without one)`);
      return size;
    } catch (error) {
      if (!retryable(error)) throw error;
      if (failures >= ATTEMPTS) throw new DataError(`${url}: could not be reached ${ATTEMPTS} times in a row (${(error as Error).message}); check GAR_RELEASES_URL and the network`);
      await backoff(web, failures);
    }
  }
}

/** Where the central directory is, from the tail (APPNOTE 4.3.16 end record; 4.3.14–15 for zip64); null when the tail holds no end record. */
async function centralDirectory(url: string, web: WebPolicy, reader: HttpRangeReader, tail: Buffer, tailStart: number): Promise<{ offset: number; size: number } | null> {
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let size = tail.readUInt32LE(eocd + 12);
  let offset = tail.readUInt32LE(eocd + 16);
  if (size === 0xffffffff || offset === 0xffffffff || tail.readUInt16LE(eocd + 10) === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) return null;
    const at = Number(tail.readBigUInt64LE(locator + 8));
    let record = at >= tailStart && at + 56 <= tailStart + tail.length ? tail.subarray(at - tailStart, at - tailStart + 56) : null;
    if (!record) {
      record = await readRange(url, web, at, at + 56);
      reader.hold(at, record);
    }
    if (record.readUInt32LE(0) !== 0x06064b50) return null;
    size = Number(record.readBigUInt64LE(40));
    offset = Number(record.readBigUInt64LE(48));
  }
  return { offset, size };
}

/** yauzl's ZipFile over a URL; the server must serve byte ranges. */
export async function openRemoteZip(url: string, onBytes?: (bytes: number) => void, web: WebPolicy = DEFAULT_WEB): Promise<yauzl.ZipFile> {
  const size = await probeSize(url, web);
  const reader = new HttpRangeReader(url, web, onBytes);
  const tailStart = Math.max(0, size - TAIL);
  const tail = await readRange(url, web, tailStart, size);
  reader.hold(tailStart, tail);
  const directory = await centralDirectory(url, web, reader, tail, tailStart);
  if (directory && directory.offset + directory.size <= size && directory.offset < tailStart) {
    if (directory.size > MAX_DIRECTORY) throw new DataError(`${url}: a table of contents of ${(directory.size / 1e6).toFixed(0)} MB; not a registry archive`);
    reader.hold(directory.offset, await readRange(url, web, directory.offset, directory.offset + directory.size));
  }
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(reader, size, { lazyEntries: true, autoClose: false, decodeStrings: true }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );
}
