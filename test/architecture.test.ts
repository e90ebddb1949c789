/**
 * The import graph of server/ (and contract/): data flows one way — route → use-case →
 * store | amo | geocoder — with no loop and no import running back up (STYLE.md, "The shape of
 * the system"). A new import that breaks a rule fails here with the offending edge named.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** file (relative to the root) → the files it imports, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of [...sources(join(ROOT, 'server')), ...sources(join(ROOT, 'contract'))]) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => relative(ROOT, resolve(dirname(file), m[1].replace(/\.js$/, '.ts'))));
    graph.set(relative(ROOT, file), targets);
  }
  return graph;
}

/** The room a file lives in: its folder under server/, or the file itself at the top. */
const room = (file: string) => {
  const parts = file.split('/');
  return parts[0] === 'contract' ? 'contract' : parts.length > 2 ? parts[1] : parts[1].replace(/\.ts$/, '');
};

/** What each room may import (besides itself). Lower floors never import higher ones. */
const ALLOWED: Record<string, string[]> = {
  contract: [],
  // The Node.js version check every entry point evaluates first.
  'node-version': [],
  clock: [],
  errors: ['contract'],
  log: [],
  config: [],
  paths: [],
  metrics: [],
  readiness: [],
  // Worker threads' shared set-up (their priority).
  workers: [],
  store: ['clock', 'errors', 'contract'],
  amo: ['store', 'clock', 'errors', 'config', 'contract'],
  geocoding: ['store', 'clock', 'errors', 'config', 'contract', 'amo'],
  intake: ['amo', 'errors', 'contract', 'workers'],
  // Building the index (readers, the registry, build beside and swap): never imported by the answering side.
  'address-data': ['store', 'geocoding', 'clock', 'errors', 'config', 'contract', 'paths'],
  delivery: ['store', 'amo', 'clock', 'errors', 'contract', 'workers'],
  outbox: ['store', 'amo', 'geocoding', 'intake', 'delivery', 'clock', 'errors', 'config', 'contract'],
  accounts: ['store', 'amo', 'outbox', 'clock', 'errors'],
  writes: ['store', 'amo', 'geocoding', 'intake', 'outbox', 'delivery', 'clock', 'errors', 'contract'],
  // Cleaning an account's existing addresses: jobs that run as outbox items.
  cleaning: ['store', 'amo', 'geocoding', 'outbox', 'delivery', 'clock', 'errors', 'contract'],
  admin: ['store', 'amo', 'intake', 'outbox', 'delivery', 'clock', 'errors', 'contract'],
  http: ['store', 'amo', 'geocoding', 'intake', 'outbox', 'accounts', 'writes', 'admin', 'cleaning', 'delivery', 'metrics', 'readiness', 'clock', 'errors', 'config', 'contract'],
  compose: ['*'],
  app: ['*'],
  main: ['*'],
};

describe('architecture', () => {
  const graph = importGraph();

  it('every import stays on its floor or goes down', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = room(file);
      const allowed = ALLOWED[from];
      expect(allowed, `${file}: a new room "${from}": add it to ALLOWED`).toBeDefined();
      for (const target of targets) {
        const to = room(target);
        if (to !== from && !allowed.includes('*') && !allowed.includes(to)) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('only the app mounts routes, and only main and the tests compose the system', () => {
    for (const [file, targets] of graph) {
      if (targets.some((t) => t.startsWith('server/http/'))) expect(['app', 'http']).toContain(room(file));
      if (targets.includes('server/compose.ts')) expect(['server/main.ts', 'server/app.ts']).toContain(file);
    }
  });

  it('the import graph has no loop between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const loops: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') return void loops.push([...path.slice(path.indexOf(file)), file].join(' → '));
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(loops).toEqual([]);
  });

  it('no loop between rooms either (besides the top: compose, app, main)', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const [a, b] = [room(file), room(target)];
        if (a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
      }
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(edges.get(from) ?? [])].some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
    const loops = [...edges.keys()].filter((r) => reaches(r, r));
    expect(loops).toEqual([]);
  });

  it('SQL lives only in store/ repositories', () => {
    const outside = [...graph.keys()].filter((file) => !file.startsWith('server/store/') && /\b(db|this\.db)\.(prepare|exec|pragma|transaction)\(/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(outside).toEqual([]);
  });
});
