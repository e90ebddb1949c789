/**
 * npm run migrate: brings the database's schema up to date, as every start-up also does.
 * With DATABASE_URL, PostgreSQL (node-pg-migrate, server/store/postgres/migrations); otherwise the
 * SQLite file at DATABASE_PATH. A database migrated by a newer release is refused (exit code 2).
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { loadConfig } from '../server/config.js';
import { NewerSqliteSchemaError, openDatabase, schemaVersion } from '../server/store/database.js';
import { migratePostgres, NewerSchemaError } from '../server/store/postgres/migrate.js';

const config = loadConfig();
try {
  if (config.databaseUrl) {
    const applied = await migratePostgres(config.databaseUrl);
    console.log(applied.length ? `PostgreSQL: applied ${applied.join(', ')}` : 'PostgreSQL: the schema is up to date');
  } else {
    const db = openDatabase(config.databasePath);
    console.log(`SQLite ${config.databasePath}: schema version ${schemaVersion(db)}`);
    db.close();
  }
} catch (error) {
  if (!(error instanceof NewerSchemaError) && !(error instanceof NewerSqliteSchemaError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
