/**
 * A production install (`npm ci --omit=dev`) has only `dependencies`: every package the server and
 * the operator scripts load at run time must be one of them, and every one of them must be used.
 * The files are those `npm run build` compiles (tsconfig.build.json); type-only imports do not
 * count (they are erased), `require.resolve`/`createRequire` and `import()` do.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { include: string[] };

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => files(join(path, name)));
}

/** Package names a source file loads at run time. */
function runtimeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of code.matchAll(/^\s*import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) found.push(m[1]);
  for (const m of code.matchAll(/^\s*export\s+(?!type\s)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm)) found.push(m[1]);
  for (const m of code.matchAll(/(?:import|require|require\.resolve)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]);
  // pino loads a transport by its package name (`pino.transport({ target: 'pino-pretty' })`).
  for (const m of code.matchAll(/\btarget:\s*['"]([^'"./][^'"]*)['"]/g)) found.push(m[1]);
  return found
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0]))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
}

const sources = build.include.flatMap(files).filter((f) => f.endsWith('.ts'));
const used = new Map<string, string[]>();
for (const file of sources) for (const name of runtimeImports(readFileSync(join(ROOT, file), 'utf8'))) used.set(name, [...(used.get(name) ?? []), file]);

describe('runtime dependencies', () => {
  it('reads the files the build compiles', () => {
    expect(sources.length).toBeGreaterThan(80);
    expect(sources).toContain('server/main.ts');
    expect(sources).toContain('scripts/backup.ts');
  });

  it('every package the server and the operator scripts load is in dependencies, not only in devDependencies', () => {
    const missing = [...used].filter(([name]) => !pkg.dependencies[name]).map(([name, from]) => `${name} (${from[0]}${from.length > 1 ? ` and ${from.length - 1} more` : ''})${pkg.devDependencies[name] ? ': only in devDependencies' : ''}`);
    expect(missing).toEqual([]);
  });

  it('every dependency is loaded by them (nothing installed in production for nothing)', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => !used.has(name))).toEqual([]);
  });

  it('the check sees a devDependency import (it would fail if one crept in)', () => {
    expect(runtimeImports("import sax from 'sax';\nimport type { X } from 'vitest';\nconst r = require.resolve('jquery');")).toEqual(['sax', 'jquery']);
  });
});
