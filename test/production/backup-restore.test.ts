/**
 * npm run backup takes a consistent copy of the SQLite store while the server serves and websites
 * keep posting leads; npm run restore puts it back (refused while a server has the file open, and
 * for a backup whose tokens another key encrypted). After a restore every account's tokens
 * decrypt and the leads that were waiting in the backup reach amoCRM.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync, spawn } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { amoEnv, connectAccount, startApp, TOKEN_KEY, type RunningApp } from '../helpers.js';
import { ACCOUNT, createSiteKey, eventually, FAST_RETRIES, postLead, writeEnv, type WriteEnv } from '../writes/write-helpers.js';

const SECOND = 36000002;
let env: WriteEnv | undefined;
let restored: RunningApp | undefined;
afterEach(async () => {
  await restored?.close();
  await env?.close();
  env = restored = undefined;
});

/** An operator command as an operator runs it: npm run <name> -- <args>, in its own process. */
function run(name: string, args: string[], extra: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name, '--', ...args], { env: { ...process.env, NODE_ENV: 'production', ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('backup and restore of the SQLite store', () => {
  it('a backup under write load restores with every token readable and the waiting leads delivered', async () => {
    env = await writeEnv({ INTAKE_RATE_LIMIT_PER_MINUTE: '1000' });
    env.fake.addAccount({ id: SECOND, subdomain: 'second', name: 'Second' });
    await connectAccount(env.app, env.fake, SECOND, 'second');
    // amoCRM unreachable for now: accepted leads wait in the outbox.
    await env.app.system.worker.stop();
    const key = await createSiteKey(env.app);
    const accepted: string[] = [];
    for (let i = 0; i < 20; i++) accepted.push((await (await postLead(env.app.url, key, { name: `До копии ${i}`, phone: `+7 917 200 00 ${String(i).padStart(2, '0')}` })).json()).id);

    // Leads keep arriving while the copy is made.
    const backup = join(env.tmp.dir, 'backup.db');
    let load = true;
    let during = 0;
    const writer = (async () => {
      // A lead every 25 ms while the copy runs (at most 40: each costs amoCRM calls to deliver later).
      while (load && during < 40) {
        const res = await postLead(env!.app.url, key, { name: `Во время ${during}`, phone: `+7 917 300 ${String(during).padStart(4, '0')}` });
        expect(res.status).toBe(202);
        during++;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const made = await run('backup', [backup], { DATABASE_PATH: env.dbPath });
    load = false;
    await writer;
    expect(made.out).toMatch(/^backup: .*backup\.db \([\d.]+ MB, schema \d+, 2 accounts, \d+ items waiting\)/m);
    expect(made.code).toBe(0);
    expect(during).toBeGreaterThan(0);
    // One file: no -wal or -shm beside it (nor of the partial copy it was checked as).
    expect(readdirSync(dirname(backup)).filter((f) => f.startsWith(basename(backup)))).toEqual([basename(backup)]);

    // The server still has the file open: a restore over it is refused, and changes nothing.
    const busy = await run('restore', [backup], { DATABASE_PATH: env.dbPath, TOKEN_ENCRYPTION_KEY: TOKEN_KEY });
    expect(busy.code).toBe(1);
    expect(busy.out).toMatch(/open in another process \(the server\?\): stop it, then restore/);
    // A backup with another key's tokens is refused before anything is written.
    const target = join(env.tmp.dir, 'restored.sqlite');
    const wrongKey = await run('restore', [backup], { DATABASE_PATH: target, TOKEN_ENCRYPTION_KEY: 'b'.repeat(64) });
    expect(wrongKey.out).toMatch(/encrypted with another TOKEN_ENCRYPTION_KEY/);
    expect(existsSync(target)).toBe(false);

    const before = await Promise.all([ACCOUNT, SECOND].map(async (id) => (await env!.app.system.accounts.find(id))!));
    await env.app.close();
    const put = await run('restore', [backup], { DATABASE_PATH: target, TOKEN_ENCRYPTION_KEY: TOKEN_KEY });
    expect(put.code).toBe(0);
    restored = await startApp(amoEnv(env.fake.url, { DATABASE_PATH: target, PUBLIC_URL: 'http://127.0.0.1:1', ...FAST_RETRIES }));
    // Every account's tokens decrypt with the key, to what they were.
    for (const account of before) {
      const back = (await restored.system.accounts.find(account.accountId))!;
      expect([back.accessToken, back.refreshToken]).toEqual([account.accessToken, account.refreshToken]);
    }
    const leads = () => [...env!.fake.entities.get(ACCOUNT)!.leads.values()].map((l) => String(l.name));
    const waiting = (await restored.system.outbox.counts()).pending;
    expect(waiting).toBeGreaterThanOrEqual(20); // the 20 from before the copy, and those it caught during
    await eventually(async () => (await restored!.system.outbox.counts()).pending === 0, 'the restored queue drained', 90_000);
    for (let i = 0; i < 20; i++) expect(leads().some((name) => name.startsWith(`До копии ${i}:`))).toBe(true);
    const statuses = await Promise.all(accepted.map(async (id) => (await (await fetch(`${restored!.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json()).status));
    expect(new Set(statuses)).toEqual(new Set(['sent']));
  }, 180_000);

  it('says what is wrong with a file that is not a backup, and with no file at all', () => {
    const script = (args: string[]) => spawnSync('npm', ['run', '--silent', 'restore', '--', ...args], { env: { ...process.env, DATABASE_PATH: '/tmp/amo-address-restore-target.sqlite' }, encoding: 'utf8' });
    expect(script([]).stderr).toMatch(/name the backup to put back/);
    expect(script(['package.json']).stderr).toMatch(/not a SQLite file that can be opened|damaged|file is not a database/);
  });
});
