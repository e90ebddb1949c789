/**
 * npm run restore -- <file>    puts a backup made by npm run backup back at DATABASE_PATH
 * Stop the server first (a restore under a running server is refused). The backup is checked
 * first: whole, made by this release or an older one, its tokens encrypted with the
 * TOKEN_ENCRYPTION_KEY set now.
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { loadConfig } from '../server/config.js';
import { BackupError, restoreStore } from '../server/store/sqlite-backup.js';
import { TokenCipher } from '../server/store/token-crypto.js';

const source = process.argv[2];
const config = loadConfig();
try {
  if (!source) throw new BackupError('name the backup to put back: npm run restore -- /var/backups/amo-address/2026-12-04.db');
  if (config.databaseUrl) throw new BackupError('DATABASE_URL is set: the store is in PostgreSQL; restore it with pg_restore/psql (docs/operating.md, "Backups")');
  const done = await restoreStore(source, config.databasePath, { cipher: config.tokenKey ? new TokenCipher(config.tokenKey) : null });
  console.log(`restore: ${source} → ${done.file} (schema ${done.schemaVersion}, ${done.accounts} accounts, ${done.pendingItems} items waiting; they are sent when the server starts)`);
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(`restore: ${error.message}`);
  process.exit(1);
}
