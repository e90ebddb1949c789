/**
 * A round-robin HTTP proxy on loopback, as a load balancer in front of several instances: each
 * request goes to the next instance; one that refuses the connection (killed) is skipped.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startRoundRobin(targets: string[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // This request tries the instances in turn from its own starting point, so a dead one is
      // tried at most once whatever other requests do meanwhile.
      const first = next++;
      const attempt = (left: number) => {
        const target = new URL(targets[(first + targets.length - left) % targets.length]);
        const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => (left > 1 && !res.headersSent ? attempt(left - 1) : res.headersSent ? res.destroy() : res.writeHead(502).end()));
        upstream.end(body);
      };
      attempt(targets.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
