/**
 * No account can stall the others (issue: heavy work off the request path): account A's admin
 * floods zone uploads — the probes' 61 KB KMZ that inflates to 60 MB and 20 comb zones × 10,000
 * vertices — while A's webhook URL takes deliveries at the size limit, and B's manager types.
 * B's suggestion p50 and p99 are measured idle and under the flood in the same run, on the real
 * server as its own process, and reported as a ratio to idle (the issue's target: p99 ≤ 2× idle).
 */
import { afterEach, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { ACCOUNT, writeEnv, type WriteEnv } from '../writes/write-helpers.js';
import { connectAccount, widgetToken } from '../helpers.js';
import { children, quantile, startServer, typing } from './soak-helpers.js';

const B = 36100002;
let env: WriteEnv;
afterEach(async () => {
  children.splice(0).forEach((c) => c.kill('SIGKILL'));
  await env?.close();
});


/**
 * A flooder in a process of its own at nice 10: in production the flooders are other machines,
 * here they share the two cores with what is measured, and their own CPU (building and sending
 * megabytes) is not the server's cost to the neighbour. The server's work for them is all counted:
 * its answering thread at normal priority, its reader and parser threads at nice 10.
 */
function child(script: string, args: string[]): { out: () => string; done: Promise<unknown> } {
  const proc = spawn('nice', ['-n', '10', process.execPath, '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (chunk) => (out += chunk));
  return { out: () => out, done: new Promise((resolve) => proc.on('exit', resolve)) };
}

/**
 * As configured (an account may upload ZONE_UPLOADS_PER_MINUTE zone files a minute: past them,
 * 429 before the body is read) the target holds: p99 within 2x idle. With that limit
 * lifted, every upload is read and stored: the cost of the files themselves, reported, and held
 * to the bound of before the limit.
 */
it.each<{ name: string; env: Record<string, string>; ratio: number; slackMs: number }>([
  { name: 'as configured', env: {}, ratio: 2, slackMs: 10 },
  { name: 'zone uploads unlimited', env: { ZONE_UPLOADS_PER_MINUTE: '10000' }, ratio: 3, slackMs: 30 },
])("A floods zone uploads and webhooks while B types ($name): B's typing is not stalled", async ({ name, env: limits, ratio, slackMs }) => {
  env = await writeEnv();
  env.fake.addAccount({ id: B, subdomain: 'bravo', name: 'Bravo' });
  await connectAccount(env.app, env.fake, B, 'bravo');
  const hook = new URL(env.app.system.webhookUrls!.destination(ACCOUNT)).pathname;
  await env.app.close();
  const server = await startServer(env, { RATE_LIMIT_PER_MINUTE: '100000', ...limits });
  const typist = await widgetToken({ accountId: B, subdomain: 'bravo', isAdmin: false });
  const flooder = await widgetToken({ accountId: ACCOUNT, isAdmin: true });

  await typing(server.url, typist, 1000); // warm-up
  // 10 s each (600–700 keystrokes): a p99 of fewer varies from run to run by more than the flood's effect.
  const idle = await typing(server.url, typist, 10_000);

  const zones = child('test/soak/zone-flooder.ts', [server.url, flooder, '11500']);
  const hooks = child('test/soak/webhook-sender.ts', [`${server.url}${hook}`, String(ACCOUNT), '11500']);
  await new Promise((r) => setTimeout(r, 1000)); // the flood under way
  const loaded = await typing(server.url, typist, 10_000);
  await Promise.all([zones.done, hooks.done]);
  const uploads = JSON.parse(zones.out()) as { answers: Record<string, number> };
  const deliveries = JSON.parse(hooks.out()) as { answers: Record<string, number> };

  const [idle50, idle99, load50, load99] = [quantile(idle, 0.5), quantile(idle, 0.99), quantile(loaded, 0.5), quantile(loaded, 0.99)];
  console.log(
    `neighbour (${name}): B's suggestions p50 ${idle50.toFixed(1)} → ${load50.toFixed(1)} ms (${(load50 / idle50).toFixed(2)}x), p99 ${idle99.toFixed(1)} → ${load99.toFixed(1)} ms (${(load99 / idle99).toFixed(2)}x) under A's zone uploads ${JSON.stringify(uploads.answers)} and webhooks ${JSON.stringify(deliveries.answers)}`,
  );
  // The flood really ran: the bomb refused in words (400), the combs read (200) or told to wait (429).
  expect(uploads.answers[400]).toBeGreaterThan(0);
  expect(uploads.answers[200]).toBeGreaterThan(0);
  expect(deliveries.answers[200]).toBeGreaterThan(10);
  expect(uploads.answers[500] ?? 0).toBe(0);
  // The server kept its memory: the worker's limit, not the process's heap, paid for the files.
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  // The typical keystroke untouched; the p99 within `ratio` x idle (or `slackMs` over it, for a
  // machine whose idle p99 is a few ms). Before this work, a flood held the server for seconds.
  expect(load50).toBeLessThanOrEqual(idle50 * 2 + 5);
  expect(load99).toBeLessThanOrEqual(Math.max(idle99 * ratio, idle99 + slackMs));
}, 120_000);
