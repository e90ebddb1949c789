/**
 * npm run backup -- <file>     a consistent copy of the SQLite store (DATABASE_PATH) while the server serves
 * The copy holds the amoCRM tokens encrypted with TOKEN_ENCRYPTION_KEY: keep the key apart from
 * the backups (docs/operating.md, "Backups"). With DATABASE_URL (PostgreSQL) use pg_dump instead.
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { loadConfig } from '../server/config.js';
import { backupStore, BackupError } from '../server/store/sqlite-backup.js';

const target = process.argv[2];
const config = loadConfig();
try {
  if (!target) throw new BackupError('name the backup file: npm run backup -- /var/backups/amo-address/2026-12-04.db');
  if (config.databaseUrl) throw new BackupError('DATABASE_URL is set: the store is in PostgreSQL; back it up with pg_dump (docs/operating.md, "Backups")');
  const done = await backupStore(config.databasePath, target);
  console.log(`backup: ${done.file} (${(done.bytes / 1048576).toFixed(1)} MB, schema ${done.schemaVersion}, ${done.accounts} accounts, ${done.pendingItems} items waiting)`);
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(`backup: ${error.message}`);
  process.exit(1);
}
