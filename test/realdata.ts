/**
 * Real address data lives beside the project in ../shared/realdata (SOURCES.md there: OpenStreetMap
 * extracts, ODbL), never in it: tests that read it say they are skipped when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REALDATA = resolve(import.meta.dirname, '../../shared/realdata');
export const hasRealdata = existsSync(join(REALDATA, 'gh-moscow.osm.pbf'));
export const realFile = (name: string) => join(REALDATA, name);

/** A bzip2 copy of a real file in a temporary folder (as mirrors publish .osm.bz2), or null without bzip2. */
export function bzip2Copy(name: string): string | null {
  const packed = spawnSync('bzip2', ['-c', realFile(name)], { maxBuffer: 256 * 1024 * 1024 });
  if (packed.status !== 0) return null;
  const path = join(mkdtempSync(join(tmpdir(), 'amo-address-bz2-')), `${name}.bz2`);
  writeFileSync(path, packed.stdout);
  return path;
}
