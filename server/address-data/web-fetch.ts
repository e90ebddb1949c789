/**
 * Every request the data operations make to a mirror, under one policy for the real internet:
 * - only `http:` and `https:` addresses (a release list naming a local path is not read from our disk);
 * - redirects followed by hand, to the same host or a host the operator allowed (DATA_REDIRECT_HOSTS);
 * - an idle timeout, not a total one: a 3 GB extract at 2 MB/s takes half an hour and is fine, a
 *   server that sends nothing for `idleMs` (headers or body) is taken as cut;
 * - pauses between tries that grow and are spread at random (several servers retrying at once do not
 *   come back in step), after a connection error as after a 5xx.
 */
import { Readable } from 'node:stream';
import { DataError } from './index-build.js';

export interface WebPolicy {
  /** Hosts a redirect may lead to besides the host asked. */
  redirectHosts: string[];
  /** The largest file a download may be, and the most a range read may bring. */
  maxDownloadBytes: number;
  /** A request that sends nothing this long (no headers, or a body that stops) is taken as cut. */
  idleMs: number;
  /** The first pause between tries; each next one doubles (up to 30 s), half of it random. */
  retryBaseMs: number;
}

export const DEFAULT_WEB: WebPolicy = { redirectHosts: [], maxDownloadBytes: 16e9, idleMs: 60_000, retryBaseMs: 500 };

const MAX_REDIRECTS = 5;

/** The address as a URL, when it is an http(s) one; otherwise a DataError naming `what`. */
export function webUrl(address: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new DataError(`${what}: "${address.slice(0, 200)}" is not a web address (http:// or https://)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DataError(`${what}: "${address.slice(0, 200)}" is not a web address (only http:// and https:// are read)`);
  return url;
}

export interface WebAnswer {
  res: Response;
  /** The body, ended with an error when it sends nothing for the policy's idle time; null for HEAD. */
  body: Readable | null;
  /** Where the answer came from, after redirects. */
  url: string;
}

/** A request with the policy's redirects and idle timeout. Connection errors are thrown as they are (the caller retries). */
export async function webRequest(address: string, policy: WebPolicy, init: { method?: string; headers?: Record<string, string> } = {}): Promise<WebAnswer> {
  const first = webUrl(address, 'download');
  let url = first;
  for (let hop = 0; ; hop++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer for ${seconds(policy.idleMs)}`)), policy.idleMs);
    let res: Response;
    try {
      res = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, redirect: 'manual', signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel().catch(() => {});
      const next = webUrl(new URL(res.headers.get('location')!, url).href, String(url));
      if (next.host !== first.host && !policy.redirectHosts.includes(next.hostname)) {
        throw new DataError(`${first.href}: redirected to ${next.host}, another host; if it is the mirror's file host, add ${next.hostname} to DATA_REDIRECT_HOSTS`);
      }
      if (hop >= MAX_REDIRECTS) throw new DataError(`${first.href}: more than ${MAX_REDIRECTS} redirects; check the address`);
      url = next;
      continue;
    }
    const body = res.body && init.method !== 'HEAD' ? idle(Readable.fromWeb(res.body as never), policy.idleMs) : null;
    return { res, body, url: url.href };
  }
}

/** A file's whole size from a 206's Content-Range ("bytes 0-0/<size>"), or null. */
export function rangeTotal(res: Response): number | null {
  const size = Number(/\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '')?.[1]);
  return res.status === 206 && size > 0 ? size : null;
}

/** A body of at most `max` bytes, as text (a release list, a checksum file). */
export async function readCapped(answer: WebAnswer, max: number, what: string): Promise<string> {
  const declared = Number(answer.res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    answer.body?.destroy();
    throw new DataError(`${what}: ${answer.url} is ${(declared / 1e6).toFixed(1)} MB, more than the ${(max / 1e6).toFixed(0)} MB such a file can be; check the address`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body ?? []) {
    size += (chunk as Buffer).length;
    if (size > max) {
      answer.body?.destroy();
      throw new DataError(`${what}: ${answer.url} goes on past ${(max / 1e6).toFixed(0)} MB, more than such a file can be; check the address`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Ends the stream with an error when nothing arrives for `ms` (a server that stops sending without
 * closing). The clock restarts at each chunk the stream takes in (its push), so watching it does
 * not set it flowing before its reader is attached.
 */
export function idle(source: Readable, ms: number): Readable {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const arm = () => {
    if (timer) clearTimeout(timer);
    // Destroying the stream cancels the body, which ends the connection.
    timer = setTimeout(() => source.destroy(new Error(`nothing arrived for ${seconds(ms)}`)), ms);
  };
  const push = source.push.bind(source);
  source.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null) arm();
    return push(chunk, encoding);
  };
  arm();
  source.on('close', () => timer && clearTimeout(timer));
  return source;
}

/** The pause before try `n + 1` after `n` failed ones: doubling from the base, at most 30 s, its second half random. */
export function backoff(policy: WebPolicy, failures: number): Promise<void> {
  const ceiling = Math.min(policy.retryBaseMs * 2 ** (failures - 1), 30_000);
  const ms = ceiling / 2 + Math.random() * (ceiling / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a failure may pass on a next try: a cut, a timeout, a refused connection, a 5xx (not a DataError: those are final). */
export function retryable(error: unknown): boolean {
  return !(error instanceof DataError);
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);
