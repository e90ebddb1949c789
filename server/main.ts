/**
 * Reads the config, composes the system, serves the app and starts background work; stops
 * cleanly on SIGINT/SIGTERM. A bad config or a changed token key stops start-up with exit code 2.
 */
import './node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { compose, type System } from './compose.js';
import { createApp, createMetricsApp } from './app.js';
import { NewerSchemaError } from './store/postgres/migrate.js';
import { NewerSqliteSchemaError } from './store/database.js';
import { storageFault } from './store/storage-guard.js';

/** Codes of the file system that mean the store's place cannot be used as set. */
const PLACE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EISDIR', 'ENOENT']);

/**
 * What stops start-up that the operator fixes, in one line (exit code 2), or null for a bug (its
 * stack is kept): the config, a newer schema, a store that is read-only, full or not where it is set.
 */
function startupProblem(error: unknown): string | null {
  if (error instanceof ConfigError || error instanceof NewerSchemaError || error instanceof NewerSqliteSchemaError) return error.message;
  const kind = storageFault(error);
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const message = (error as Error | null)?.message ?? String(error);
  if (kind === 'read_only') return `The database cannot be written (read-only): ${message}. Make DATABASE_PATH (or DATABASE_URL) writable for this user and start again.`;
  if (kind === 'disk_full') return `The disk under the database is full: ${message}. Free some space and start again.`;
  if (kind === 'io_error') return `The database cannot be opened: ${message}. Check DATABASE_PATH and its disk, then start again.`;
  if (PLACE_CODES.has(code)) return `The store's place cannot be used: ${message}. Check DATABASE_PATH and INDEX_DIR (they must be writable folders' files), then start again.`;
  return null;
}

async function configured<T>(build: () => T | Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    const problem = startupProblem(error);
    if (problem === null) throw error;
    console.error(problem);
    process.exit(2);
  }
}

async function start(): Promise<void> {
  const config = await configured(() => loadConfig());
  const log = createLogger(config.logLevel, { pretty: config.env === 'development' && process.stdout.isTTY === true });
  const system: System = await configured(() => compose(config, log));
  const server = createServer(createApp(system));
  system.start();
  server.listen(config.port, config.host, () => {
    const where = server.address();
    const port = typeof where === 'object' && where ? where.port : config.port;
    log.info(
      { port, host: config.host, demo: config.amo === null, geocoder: config.geocoder.provider },
      `amo-address listening on http://${config.host}:${port} (demo card page: ${config.publicUrl}/demo)`,
    );
  });

  // Prometheus on this host scrapes here without a token; never on a public interface.
  const metricsServer = config.metricsPort ? createServer(createMetricsApp(system)) : null;
  metricsServer?.listen(config.metricsPort!, '127.0.0.1', () => log.info({ port: config.metricsPort }, `metrics on http://127.0.0.1:${config.metricsPort}/metrics`));

  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    metricsServer?.close();
    server.close(async () => {
      await system.stop();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void start();
