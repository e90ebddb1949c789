/**
 * Downloads for the data operations: a file to disk that resumes after a cut connection
 * (HTTP Range from the bytes already written to `<file>.part`), checks free disk first, verifies
 * the published MD5 (Geofabrik's `<extract>.md5`: "<hash>  <name>") or at least the size, and says
 * in words what failed. Requests follow web-fetch.ts's policy: an idle timeout (a slow link is not
 * a failure), redirects to the same host, growing pauses with jitter between tries, and a size cap.
 * A try that brought bytes starts the count of failed tries again: a link cut every few minutes
 * still finishes a 3 GB extract.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError } from './index-build.js';
import { backoff, DEFAULT_WEB, readCapped, retryable, webRequest, type WebPolicy } from './web-fetch.js';

export interface DownloadOptions {
  /** The published checksum; without one the size the server gave is checked. */
  md5?: string | null;
  onProgress?: (bytes: number, total: number | null) => void;
  /** Failed tries in a row (with no byte gained) before giving up. */
  attempts?: number;
  web?: WebPolicy;
}

const MARGIN = 256 * 1024 * 1024;

/** A failure worth another try (a 5xx, a short body): not a DataError. */
class TryAgain extends Error {}

export async function downloadFile(url: string, file: string, options: DownloadOptions = {}): Promise<{ bytes: number; resumed: boolean }> {
  const web = options.web ?? DEFAULT_WEB;
  const attempts = options.attempts ?? 5;
  mkdirSync(dirname(file), { recursive: true });
  const part = `${file}.part`;
  const partSize = () => (existsSync(part) ? statSync(part).size : 0);
  let resumed = false;
  let failures = 0;
  for (;;) {
    const have = partSize();
    try {
      const total = await fetchInto(url, part, have, web, options.onProgress);
      if (total === 'restart') continue;
      if (have > 0 && total.appended) resumed = true;
      const size = partSize();
      if (total.expected !== null && size !== total.expected) throw new TryAgain(`${size} bytes arrived of ${total.expected}`);
      break;
    } catch (error) {
      if (!retryable(error)) throw error;
      // A try that brought bytes was worth it: the count of failures in a row starts again.
      failures = partSize() > have ? 1 : failures + 1;
      if (failures >= attempts) {
        const kept = partSize();
        throw new DataError(`${url}: failed ${attempts} times in a row (${(error as Error).message}); run the command again${kept ? `: it resumes from ${(kept / 1e6).toFixed(1)} MB` : ''}, or check the mirror and the network`);
      }
      await backoff(web, failures);
    }
  }
  const size = partSize();
  if (options.md5) {
    const actual = await md5Of(part);
    if (actual !== options.md5.toLowerCase()) {
      rmSync(part, { force: true });
      throw new DataError(`${url}: the checksum does not match (MD5 ${actual}, published ${options.md5}); the file was deleted: run the command again, or use another mirror`);
    }
  }
  renameSync(part, file);
  return { bytes: size, resumed };
}

/** One try: the file's bytes from `have` on, appended to `part`. */
async function fetchInto(url: string, part: string, have: number, web: WebPolicy, onProgress?: (bytes: number, total: number | null) => void): Promise<{ expected: number | null; appended: boolean } | 'restart'> {
  const { res, body } = await webRequest(url, web, { headers: have ? { Range: `bytes=${have}-` } : {} });
  if (res.status === 416 && have) {
    // The part is already whole (or the file changed under it): start over.
    body?.destroy();
    rmSync(part, { force: true });
    return 'restart';
  }
  if (res.status !== 200 && res.status !== 206) body?.destroy();
  if (res.status === 404) throw new DataError(`${url}: not found (404); check the region name and the mirror (OSM_EXTRACTS_URL, GAR_RELEASES_URL)`);
  if (res.status >= 500 || res.status === 429) throw new TryAgain(`the server answered ${res.status}`);
  if (res.status !== 200 && res.status !== 206) throw new DataError(`${url}: the server answered ${res.status}; try again later`);
  const appended = res.status === 206 && have > 0;
  const from = appended ? have : 0;
  const length = Number(res.headers.get('content-length') ?? NaN);
  const expected = Number.isFinite(length) ? length + from : null;
  if (expected !== null && expected > web.maxDownloadBytes) {
    body?.destroy();
    throw new DataError(`${url}: ${(expected / 1e9).toFixed(2)} GB, more than the ${(web.maxDownloadBytes / 1e9).toFixed(2)} GB a download may be (DATA_MAX_DOWNLOAD_GB); check the address or raise the limit`);
  }
  if (expected !== null) {
    try {
      ensureFreeDisk(dirname(part), expected - from, url);
    } catch (error) {
      body?.destroy();
      throw error;
    }
  }
  await pipeline(body!, counting(from, expected, web.maxDownloadBytes, url, onProgress), createWriteStream(part, { flags: appended ? 'a' : 'w' })).catch((error: unknown) => {
    if (error instanceof DataError) rmSync(part, { force: true }); // past the cap: nothing worth resuming
    throw error;
  });
  return { expected, appended };
}

/** The MD5 a mirror publishes beside a file ("<hash>  <name>"), or null when it publishes none. */
export async function publishedMd5(url: string, web: WebPolicy = DEFAULT_WEB): Promise<string | null> {
  try {
    const answer = await webRequest(`${url}.md5`, web);
    if (!answer.res.ok) {
      answer.body?.destroy();
      return null;
    }
    return /^([0-9a-f]{32})\b/i.exec((await readCapped(answer, 64 * 1024, 'checksum')).trim())?.[1].toLowerCase() ?? null;
  } catch (error) {
    if (error instanceof DataError) throw error;
    return null;
  }
}

export function ensureFreeDisk(dir: string, bytes: number, what: string): void {
  mkdirSync(dir, { recursive: true });
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  if (free < bytes + MARGIN) {
    throw new DataError(`${what}: needs ${(bytes / 1e9).toFixed(2)} GB and ${(MARGIN / 1e9).toFixed(2)} GB to spare in ${dir}, which has ${(free / 1e9).toFixed(2)} GB free; free some disk or set INDEX_DIR elsewhere`);
  }
}

async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Counts the bytes for progress, and stops a body that goes past the download cap (a server that sends no length, or lies). */
function counting(start: number, total: number | null, max: number, url: string, onProgress?: (bytes: number, total: number | null) => void): Transform {
  let bytes = start;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > max) return done(new DataError(`${url}: goes on past ${(max / 1e9).toFixed(2)} GB, the most a download may be (DATA_MAX_DOWNLOAD_GB); check the address or raise the limit`));
      onProgress?.(bytes, total);
      done(null, chunk);
    },
  });
}
