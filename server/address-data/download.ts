/**
 * Downloads for the data operations: a file to disk that resumes after a cut connection
 * (HTTP Range from the bytes already written to `<file>.part`), checks free disk first, verifies
 * the published MD5 (Geofabrik's `<extract>.md5`: "<hash>  <name>") or at least the size, and says
 * in words what failed. And byte ranges of a remote file, for reading one region's entries out of
 * the registry's 57 GB archive without downloading the rest (gar/remote-zip.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError } from './index-build.js';

export interface DownloadOptions {
  /** The published checksum; without one the size the server gave is checked. */
  md5?: string | null;
  onProgress?: (bytes: number, total: number | null) => void;
  /** Tries after a cut connection or a server error, each resuming where the last stopped. */
  attempts?: number;
  /** A body that sends nothing for this long is taken as cut. */
  stallMs?: number;
}

const MARGIN = 256 * 1024 * 1024;

export async function downloadFile(url: string, file: string, options: DownloadOptions = {}): Promise<{ bytes: number; resumed: boolean }> {
  mkdirSync(dirname(file), { recursive: true });
  const part = `${file}.part`;
  const attempts = options.attempts ?? 5;
  let resumed = false;
  let total: number | null = null;
  for (let attempt = 1; ; attempt++) {
    const have = existsSync(part) ? statSync(part).size : 0;
    let res: Response;
    try {
      res = await fetch(url, { headers: have ? { Range: `bytes=${have}-` } : {}, signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      if (attempt < attempts) continue;
      throw new DataError(`${url}: could not be reached (${(error as Error).message}); check the address (a mirror: OSM_EXTRACTS_URL, GAR_RELEASES_URL) and the network`);
    }
    if (res.status === 416 && have) {
      // The part is already whole (or the file changed under it): start over.
      rmSync(part, { force: true });
      continue;
    }
    if (res.status === 404) throw new DataError(`${url}: not found (404); check the region name and the mirror (OSM_EXTRACTS_URL, GAR_RELEASES_URL)`);
    if (res.status >= 500 && attempt < attempts) {
      await pause(attempt);
      continue;
    }
    if (res.status !== 200 && res.status !== 206) throw new DataError(`${url}: the server answered ${res.status}; try again later`);
    const append = res.status === 206 && have > 0;
    if (append) resumed = true;
    const length = Number(res.headers.get('content-length') ?? NaN);
    total = Number.isFinite(length) ? length + (append ? have : 0) : null;
    if (total !== null) ensureFreeDisk(dirname(file), total - (append ? have : 0), url);
    try {
      await pipeline(stalling(Readable.fromWeb(res.body as never), options.stallMs ?? 60_000), counting(append ? have : 0, total, options.onProgress), createWriteStream(part, { flags: append ? 'a' : 'w' }));
    } catch (error) {
      if (attempt < attempts) {
        await pause(attempt);
        continue;
      }
      throw new DataError(`${url}: the download was cut ${attempts} times (${(error as Error).message}); run the command again: it resumes from ${(statSync(part).size / 1e6).toFixed(1)} MB`);
    }
    const size = statSync(part).size;
    if (total !== null && size !== total) {
      if (attempt < attempts) continue;
      throw new DataError(`${url}: ${size} bytes arrived of ${total}; run the command again to resume`);
    }
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
}

/** The MD5 a mirror publishes beside a file ("<hash>  <name>"), or null when it publishes none. */
export async function publishedMd5(url: string): Promise<string | null> {
  try {
    const res = await fetch(`${url}.md5`, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) return null;
    return /^([0-9a-f]{32})\b/i.exec((await res.text()).trim())?.[1].toLowerCase() ?? null;
  } catch {
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

function counting(start: number, total: number | null, onProgress?: (bytes: number, total: number | null) => void) {
  let bytes = start;
  return async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      bytes += chunk.length;
      onProgress?.(bytes, total);
      yield chunk;
    }
  };
}

/** Ends the stream with an error when nothing arrives for `ms` (a server that stops sending without closing). */
export function stalling(source: Readable, ms: number): Readable {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => source.destroy(new Error(`nothing arrived for ${Math.round(ms / 1000)} s`)), ms);
  };
  arm();
  source.on('data', arm);
  source.on('close', () => timer && clearTimeout(timer));
  return source;
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 5_000)));
