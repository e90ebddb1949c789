/**
 * Before the tests: builds the widget once (the demo page, check-widget and the e2e test use the
 * real build), and starts a throwaway PostgreSQL cluster for the PostgreSQL tests
 * (scripts/postgres-cluster.ts). Without PostgreSQL on the machine those tests are skipped, and
 * this says so.
 */
import type { TestProject } from 'vitest/node';
import { buildWidget } from '../scripts/build-widget.js';
import { startCluster } from '../scripts/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway cluster's admin URL, or null when the machine has no PostgreSQL. */
    postgresUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  await buildWidget({ backendUrl: 'http://localhost:3000', development: true });
  const cluster = await startCluster();
  if (!cluster) console.warn('\n[postgres] No PostgreSQL server binaries found (PG_BIN or /usr/lib/postgresql/N/bin): the PostgreSQL tests are SKIPPED. Install Debian\'s postgresql package to run them.\n');
  project.provide('postgresUrl', cluster?.url ?? null);
  return () => cluster?.stop();
}
