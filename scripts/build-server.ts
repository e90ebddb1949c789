/**
 * npm run build — the server and the operator scripts compiled to dist/ (tsc -p tsconfig.build.json),
 * with the files they read at run time that are not TypeScript: PostgreSQL's migrations and the
 * gazetteer. Then `npm ci --omit=dev` and `npm run serve` (node dist/server/main.js) need no tooling.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
for (const dir of ['server', 'scripts', 'contract']) rmSync(join(ROOT, 'dist', dir), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const assets of ['server/store/postgres/migrations', 'server/address-data/data']) {
  cpSync(join(ROOT, assets), join(ROOT, 'dist', assets), { recursive: true });
}
console.log('server built: dist/server (node dist/server/main.js), operator scripts in dist/scripts');
