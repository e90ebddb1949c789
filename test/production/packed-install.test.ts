/**
 * The project as an operator installs it for production: built (npm run build), packed (npm pack),
 * unpacked into an empty folder and installed with `npm ci --omit=dev` — no TypeScript, no tsx,
 * no test tools. The compiled server starts, answers /healthz and a suggestion, and an operator
 * script (npm run backup) runs from its compiled JavaScript.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHealth } from '../../scripts/bench/http-load.js';

const ROOT = join(import.meta.dirname, '../..');
let dir: string;
let app: string;

function sh(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'amo-address-packed-'));
  sh('npm', ['run', 'build'], ROOT);
  const tarball = sh('npm', ['pack', '--pack-destination', dir, '--silent'], ROOT).trim().split('\n').at(-1)!;
  sh('tar', ['xzf', join(dir, tarball)], dir);
  app = join(dir, 'package');
  // npm pack leaves the lockfile out; the install uses the project's, as a deploy from the repository would.
  copyFileSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
  sh('npm', ['ci', '--omit=dev'], app);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a production install from the packed project', () => {
  it('has the compiled server and no TypeScript tooling', () => {
    expect(existsSync(join(app, 'dist/server/main.js'))).toBe(true);
    expect(existsSync(join(app, 'dist/server/store/postgres/migrations/0001_initial.sql'))).toBe(true);
    expect(readdirSync(join(app, 'dist/scripts')).filter((f) => f.endsWith('.js'))).toEqual(expect.arrayContaining(['backup.js', 'restore.js', 'data.js', 'migrate.js', 'site-key.js']));
    for (const dev of ['typescript', 'tsx', 'vitest', 'webpack', 'playwright-core']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(join(app, 'server'))).toBe(false); // no TypeScript sources shipped
  });

  it('starts with node dist/server/main.js and answers /healthz and a suggestion; npm run backup runs compiled', async () => {
    const port = await freePort();
    const data = join(dir, 'data');
    const env = { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: join(data, 'store.db') };
    const server = spawn(process.execPath, ['dist/server/main.js'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (d) => (output += d));
    server.stderr.on('data', (d) => (output += d));
    try {
      await waitForHealth(`http://127.0.0.1:${port}/healthz`).catch((error) => {
        throw new Error(`${(error as Error).message}\n${output}`);
      });
      const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
      expect(health).toMatchObject({ status: 'ok', database: { ok: true, writable: true } });
      const answer = await (await fetch(`http://127.0.0.1:${port}/api/address/suggest?q=${encodeURIComponent('Самара')}`)).json();
      expect(answer.suggestions[0].value).toBe('г Самара');
      const backup = spawnSync(process.execPath, ['scripts/run.mjs', 'backup', join(data, 'copy.db')], { cwd: app, env, encoding: 'utf8' });
      expect(backup.stdout + backup.stderr).toMatch(/^backup: .*copy\.db/m);
      expect(backup.status).toBe(0);
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('npm run serve starts the server, and stopping npm stops it (the script execs node, so the signal reaches the server)', async () => {
    const port = await freePort();
    const env = { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'serve', 'store.db') };
    const npm = spawn('npm', ['run', 'serve'], { cwd: app, env, stdio: 'ignore' });
    await waitForHealth(`http://127.0.0.1:${port}/healthz`);
    npm.kill('SIGTERM');
    await new Promise((r) => npm.once('exit', r));
    // The port closes: the server itself stopped, not only npm (it used to go on, orphaned).
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'up', () => 'down')), { timeout: 20_000 }).toBe('down');
  });
});
