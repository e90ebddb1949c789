/**
 * Operator tools fail in one line an operator can act on, never a stack trace: a server whose
 * store cannot be placed, a restore of the database onto itself or of a backup whose key record
 * was removed (its tokens under another key), a move to PostgreSQL from an empty or non-SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../server/store/database.js';
import { TokenCipher } from '../../server/store/token-crypto.js';
import { tempDir, TOKEN_KEY } from '../helpers.js';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  tmp?.cleanup();
  tmp = undefined;
});

/** A command in its own process, as an operator runs it. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(args[0], args.slice(1), { env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}
const npm = (name: string, args: string[], env: Record<string, string>) => run(['npm', 'run', '--silent', name, '--', ...args], env);
const oneLine = (out: string) => {
  expect(out).not.toMatch(/^\s+at /m); // no stack frame
  expect(out.trim().split('\n')).toHaveLength(1);
};

/** A store with one account whose tokens are encrypted with `key`, the key's record removed if asked. */
function storeWithTokens(path: string, key: string, keepRecord: boolean): void {
  const db = openDatabase(path);
  const cipher = new TokenCipher(Buffer.from(key, 'hex'));
  db.prepare("INSERT INTO accounts (account_id, subdomain, base_domain, access_token, refresh_token, expires_at, status, connected_at, updated_at) VALUES (7, 'acme', 'amocrm.ru', ?, ?, 0, 'connected', 0, 0)").run(cipher.encrypt('access', 7), cipher.encrypt('refresh', 7));
  if (keepRecord) db.prepare("INSERT INTO meta (key, value) VALUES ('token_key_fingerprint', ?)").run(cipher.fingerprint());
  db.close();
}

/** The machine's own `node` when it is older than 22 (Debian's is 20): a host where only that is installed. */
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && Number(spawnSync(path, ['-p', 'process.versions.node.split(".")[0]']).stdout?.toString().trim()) < 22) ?? null;

describe('operator tools say what is wrong in one line', () => {
  it.skipIf(!oldNode)('on a Node.js older than 22, the server and the operator scripts refuse to start (they used to crash without a word)', async () => {
    for (const entry of ['server/main.ts', 'scripts/backup.ts', 'scripts/data.ts']) {
      const started = await run([oldNode!, '--import', 'tsx', entry, 'status'], { PORT: '0' });
      expect(started.code, entry).toBe(2);
      expect(started.out).toMatch(/^amo-address needs Node\.js 22 or newer \(it is built and tested on 24\); this is Node\.js 2\d\./);
      oneLine(started.out);
    }
  });

  it('the server, when its store cannot be placed where DATABASE_PATH says', async () => {
    tmp = tempDir();
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    const started = await run([process.execPath, '--import', 'tsx', 'server/main.ts'], { DATABASE_PATH: join(file, 'db.sqlite'), NODE_ENV: 'development', PORT: '0' });
    expect(started.code).toBe(2);
    expect(started.out).toMatch(/^The store's place cannot be used: (EEXIST|ENOTDIR)/);
    oneLine(started.out);
  });

  it('restore: never the database onto itself; never a backup whose key record is gone and whose tokens another key encrypted', async () => {
    tmp = tempDir();
    const live = join(tmp.dir, 'live.sqlite');
    storeWithTokens(live, TOKEN_KEY, true);
    const self = await npm('restore', [live], { DATABASE_PATH: live, TOKEN_ENCRYPTION_KEY: TOKEN_KEY });
    expect(self.code).toBe(1);
    expect(self.out).toMatch(/is the database itself/);
    oneLine(self.out);

    const altered = join(tmp.dir, 'altered.sqlite');
    storeWithTokens(altered, 'b'.repeat(64), false);
    const target = join(tmp.dir, 'target.sqlite');
    const refused = await npm('restore', [altered], { DATABASE_PATH: target, TOKEN_ENCRYPTION_KEY: TOKEN_KEY });
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/no record of the TOKEN_ENCRYPTION_KEY .* do not open with the key set now/);
    oneLine(refused.out);
    expect(existsSync(target)).toBe(false);
    // The same backup under its own key is put back (a store from before the key was recorded).
    const own = await npm('restore', [altered], { DATABASE_PATH: target, TOKEN_ENCRYPTION_KEY: 'b'.repeat(64) });
    expect(own.code).toBe(0);
  });

  it('the move to PostgreSQL refuses an empty file and one that is not SQLite, before connecting', async () => {
    tmp = tempDir();
    const empty = join(tmp.dir, 'empty.sqlite');
    writeFileSync(empty, '');
    const notSqlite = join(tmp.dir, 'notes.sqlite');
    writeFileSync(notSqlite, 'these are notes, not a database');
    for (const [file, said] of [[empty, /is empty \(0 bytes\)/], [notSqlite, /is not a SQLite file/]] as const) {
      const moved = await npm('migrate:sqlite-to-postgres', [], { DATABASE_PATH: file, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
      expect(moved.code).toBe(2);
      expect(moved.out).toMatch(said);
      oneLine(moved.out);
    }
    // And a PostgreSQL that cannot be reached is one line too.
    const real = join(tmp.dir, 'real.sqlite');
    storeWithTokens(real, TOKEN_KEY, true);
    const unreachable = await npm('migrate:sqlite-to-postgres', [], { DATABASE_PATH: real, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TOKEN_ENCRYPTION_KEY: TOKEN_KEY });
    expect(unreachable.code).toBe(2);
    expect(unreachable.out).toMatch(/^The move stopped: .*nothing was copied/);
    oneLine(unreachable.out);
  });
});
