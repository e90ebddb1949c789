/** A fresh database on the test cluster per test file (or per test), so nothing leaks between them. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The cluster's admin URL, or null: PostgreSQL tests use `describe.skipIf(!postgresUrl)`. */
export const postgresUrl: string | null = inject('postgresUrl');

export async function freshDatabase(): Promise<string> {
  if (!postgresUrl) throw new Error('no PostgreSQL cluster');
  const name = `amo_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
