/**
 * A download mirror on loopback for the data operations, serving files as the real ones do:
 * - OpenStreetMap extracts in Geofabrik's layout, each with `<file>.md5` holding
 *   "<md5>  <file name>" (download.geofabrik.de publishes one beside every extract);
 * - the registry's release list as the FNS publishes it (GetAllDownloadFileInfo: a JSON array of
 *   {VersionId, TextVersion, GarXMLFullURL, GarXMLDeltaURL}; ../shared/gar/SOURCES.md) and the
 *   archives it names;
 * - byte ranges (RFC 9110 §14: `Range: bytes=a-b` → 206 with Content-Range; HEAD with
 *   Accept-Ranges and Content-Length), as both hosts serve their large files.
 * Faults a test switches on, each one the real internet shows: a connection cut after some bytes
 * (once, or on every request), a body that stops sending, a slow link (a steady trickle), a wrong
 * published checksum, a missing file, an absurd size, a server that serves ranges without saying
 * Accept-Ranges (RFC 9110 §14.3 makes the header optional; the 206 is what counts) or one that
 * ignores Range and sends the whole file (§14.2 allows it), redirects (§15.4), and a body with no
 * length that never ends.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export interface MirrorRelease {
  VersionId: number;
  TextVersion: string;
  GarXMLFullURL: string | null;
  GarXMLDeltaURL: string | null;
}

export class FakeMirror {
  readonly files = new Map<string, Buffer>();
  readonly releases: MirrorRelease[] = [];
  /** path → bytes after which the next GET of it is cut (once). */
  readonly cutOnce = new Map<string, number>();
  /** path → bytes after which the next GET of it stops sending (once) but keeps the connection. */
  readonly stallOnce = new Map<string, number>();
  readonly wrongMd5 = new Set<string>();
  /** path → a Content-Length it claims (and never sends). */
  readonly claimedSize = new Map<string, number>();
  /** path → bytes after which every GET of it is cut, `times` times in all. */
  readonly cutEvery = new Map<string, { bytes: number; times: number }>();
  /** path → a steady trickle: `bytes` every `everyMs`. */
  readonly trickle = new Map<string, { bytes: number; everyMs: number }>();
  /** Paths served with ranges but no Accept-Ranges header. */
  readonly quietRanges = new Set<string>();
  /** Paths whose Range headers are ignored (200 with the whole file). */
  readonly ignoreRanges = new Set<string>();
  /** path → where it redirects (302). */
  readonly redirects = new Map<string, string>();
  /** Paths that stream bytes with no length, forever. */
  readonly endless = new Set<string>();
  /** GETs answered 503 before the real answer, per path. */
  readonly unavailable = new Map<string, number>();
  readonly requests: Array<{ method: string; path: string; range: string | null; at: number }> = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      this.requests.push({ method: req.method ?? 'GET', path, range: req.headers.range ?? null, at: performance.now() });
      const redirect = this.redirects.get(path);
      if (redirect) return void res.writeHead(302, { Location: redirect }).end();
      const unavailable = this.unavailable.get(path);
      if (unavailable) {
        this.unavailable.set(path, unavailable - 1);
        return void res.writeHead(503).end();
      }
      if (this.endless.has(path)) {
        res.writeHead(200, { 'Content-Type': path.includes('releases') ? 'application/json' : 'application/octet-stream' });
        const chunk = Buffer.alloc(256 * 1024, path.includes('releases') ? ' ' : 0);
        if (path.includes('releases')) res.write('[');
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      if (path === '/gar/releases') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(this.releases));
        return;
      }
      if (path.endsWith('.md5')) {
        const file = this.files.get(path.slice(0, -4));
        if (!file) return void res.writeHead(404).end();
        const md5 = this.wrongMd5.has(path.slice(0, -4)) ? '0'.repeat(32) : createHash('md5').update(file).digest('hex');
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${md5}  ${path.split('/').at(-1)!.slice(0, -4)}\n`);
        return;
      }
      const claimed = this.claimedSize.get(path);
      if (claimed) {
        res.writeHead(200, { 'Content-Length': String(claimed) });
        res.flushHeaders();
        setTimeout(() => res.destroy(), 2000);
        return;
      }
      const file = this.files.get(path);
      if (!file) return void res.writeHead(404).end();
      const range = this.ignoreRanges.has(path) ? null : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = range && range[2] ? Math.min(Number(range[2]), file.length - 1) : file.length - 1;
      if (start >= file.length) return void res.writeHead(416, { 'Content-Range': `bytes */${file.length}` }).end();
      const body = file.subarray(start, end + 1);
      res.writeHead(range ? 206 : 200, { ...(this.quietRanges.has(path) ? {} : { 'Accept-Ranges': 'bytes' }), 'Content-Length': String(body.length), ...(range ? { 'Content-Range': `bytes ${start}-${end}/${file.length}` } : {}) });
      if (req.method === 'HEAD') return void res.end();
      const cut = this.cutOnce.get(path);
      const stall = this.stallOnce.get(path);
      if (cut !== undefined && cut < body.length) {
        this.cutOnce.delete(path);
        // The bytes before the cut arrive (and are written) before the connection drops.
        res.write(body.subarray(0, cut));
        setTimeout(() => res.destroy(), 300).unref();
        return;
      }
      const every = this.cutEvery.get(path);
      if (every && every.times > 0 && every.bytes < body.length) {
        every.times--;
        res.write(body.subarray(0, every.bytes));
        setTimeout(() => res.destroy(), 100).unref();
        return;
      }
      const slow = this.trickle.get(path);
      if (slow) {
        let at = 0;
        const send = () => {
          if (res.destroyed) return;
          const piece = body.subarray(at, at + slow.bytes);
          at += piece.length;
          if (at >= body.length) return void res.end(piece);
          res.write(piece);
          setTimeout(send, slow.everyMs);
        };
        send();
        return;
      }
      if (stall !== undefined && stall < body.length) {
        this.stallOnce.delete(path);
        res.write(body.subarray(0, stall));
        setTimeout(() => res.destroy(), 10_000).unref();
        return;
      }
      res.end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
