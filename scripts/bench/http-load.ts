/** Small loopback load helpers: sequential latency runs and a bounded concurrent throughput run. */
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export function get(url: string): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body }));
    })
      .on('error', reject)
      .end();
  });
}

export function percentiles(values: number[]): { p50: number; p95: number; p99: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99), n: sorted.length };
}

/** Sends every URL once with `concurrency` in flight; returns requests per second. */
export async function throughput(urls: string[], concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) {
        const res = await get(urls[next++]);
        if (res.status !== 200) throw new Error(`status ${res.status}`);
      }
    }),
  );
  return urls.length / ((performance.now() - started) / 1000);
}

export const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await get(url)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not start');
}
