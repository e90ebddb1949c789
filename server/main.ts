/**
 * Reads the config, opens the database, builds the app and listens; stops cleanly on SIGINT/SIGTERM.
 */
import 'dotenv/config';
import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { buildServices } from './services.js';
import { createApp } from './app.js';
import { buildAddressDeps } from './geocoding/address-service.js';
import { buildWriteDeps } from './writes.js';

function start(): void {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  let services;
  try {
    services = buildServices(config, log);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const address = buildAddressDeps(services);
  const writes = buildWriteDeps(services, address.service, address.importer);
  const app = createApp({ ...services, address, writes });
  const server = createServer(app);
  writes.start();
  server.listen(config.port, config.host, () => {
    const where = server.address();
    const port = typeof where === 'object' && where ? where.port : config.port;
    log.info(
      { port, host: config.host, demo: config.amo === null, geocoder: config.geocoder.provider },
      `amo-address listening on http://${config.host}:${port} (demo card page: ${config.publicUrl}/demo)`,
    );
  });

  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    server.close(async () => {
      await writes.stop();
      address.close();
      services.db.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

start();
