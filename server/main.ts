/**
 * Reads the config, composes the system, serves the app and starts background work; stops
 * cleanly on SIGINT/SIGTERM. A bad config or a changed token key stops start-up with exit code 2.
 */
import 'dotenv/config';
import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { compose, type System } from './compose.js';
import { createApp, createMetricsApp } from './app.js';
import { NewerSchemaError } from './store/postgres/migrate.js';
import { NewerSqliteSchemaError } from './store/database.js';

async function configured<T>(build: () => T | Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof NewerSchemaError) && !(error instanceof NewerSqliteSchemaError)) throw error;
    console.error(error.message);
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
