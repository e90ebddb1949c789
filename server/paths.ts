/**
 * Where the package's own files are, the same whether this runs as TypeScript from the sources
 * (server/…) or compiled by `npm run build` (dist/server/…): the package root is the nearest
 * folder above this file that holds package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = packageRoot(HERE);
/** Compiled (`node dist/server/main.js`), not run through tsx. */
export const COMPILED = import.meta.url.endsWith('.js');
export const PUBLIC_DIR = join(ROOT, 'public');
/** The built widget (dist/widget, dist/mobile) and, compiled, the server itself (dist/server). */
export const DIST_DIR = join(ROOT, 'dist');

/** An operator script (`scripts/<name>.ts`), or its compiled `dist/scripts/<name>.js` when this runs compiled. */
export const operatorScript = (name: string) => (COMPILED ? join(DIST_DIR, 'scripts', `${name}.js`) : join(ROOT, 'scripts', `${name}.ts`));
