/**
 * npm run site-key -- create --account <amoCRM account id> --name <site>
 * npm run site-key -- list
 * npm run site-key -- revoke <id>
 * Manages the per-site API keys for website lead intake in DATABASE_URL's PostgreSQL, or else
 * DATABASE_PATH (the same as the admin endpoints /api/admin/site-keys). A new key is printed once.
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/store/database.js';
import { openStore } from '../server/store/open-store.js';
import { SiteKeysRepository } from '../server/store/site-keys-repository.js';
import { AccountsRepository } from '../server/store/accounts-repository.js';
import { SiteKeyIssuer } from '../server/admin/site-key-issuer.js';
import { systemClock } from '../server/clock.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { account: { type: 'string' }, name: { type: 'string' }, origins: { type: 'string' } } });
const [command, id] = positionals;
const config = loadConfig();
const db = openDatabase(config.databasePath);
const store = await openStore({ ...config, lockHolders: 1 }, db);
const keys = new SiteKeysRepository(store.sql);
// The same rules as the console and the admin API: a connected account, at most SITE_KEYS_PER_ACCOUNT keys.
const issuer = new SiteKeyIssuer({ siteKeys: keys, accounts: new AccountsRepository(store.sql, null), clock: systemClock, maxPerAccount: config.siteKeysPerAccount, demo: config.amo === null });
try {
  if (command === 'create') {
    const accountId = Number(values.account);
    if (!Number.isSafeInteger(accountId) || accountId <= 0 || !values.name?.trim()) throw new Error('create needs --account <id> and --name <site>');
    // --origins "https://shop.example https://www.shop.example": the browsers' origins the key works from (DaData-compatible API).
    const origins = values.origins ? values.origins.split(/[\s,]+/).filter(Boolean) : [];
    if (origins.some((o) => !/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o))) throw new Error('--origins takes origins such as https://shop.example (scheme and host, no path)');
    const { siteKey, key } = await issuer.create(accountId, values.name.trim(), origins);
    console.log(`site key ${siteKey.id} for account ${accountId} (${siteKey.name}):\n${key}\nStore it in the website's configuration; it is not shown again.`);
  } else if (command === 'list') {
    for (const k of await keys.list()) console.log(`${k.id}\taccount ${k.accountId}\t${k.name}\t${k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active'}`);
  } else if (command === 'revoke') {
    if (!(await keys.revoke(Number(id), Date.now()))) throw new Error(`no active site key ${id}`);
    console.log(`site key ${id} revoked`);
  } else {
    throw new Error('usage: npm run site-key -- create --account <id> --name <site> [--origins "https://shop.example …"] | list | revoke <id>');
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 2;
} finally {
  await store.close();
  db.close();
}
