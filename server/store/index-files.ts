/**
 * Where the address index lives on disk, and how a build hands a new one to the servers:
 *
 *   <INDEX_DIR>/addresses-<stamp>.db     complete index files (normally one)
 *   <INDEX_DIR>/addresses-<stamp>.building  a build under way (never opened by a server)
 *   <INDEX_DIR>/CURRENT                  the name of the file being served
 *   <INDEX_DIR>/BUILD.lock               held by the one build that may run
 *
 * A build writes its file beside the served one and then replaces CURRENT by rename(2), which
 * is atomic on one file system: a server reads either the old name or the new, never half.
 * Each instance has its own INDEX_DIR and switches its own copy.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CURRENT_POINTER = 'CURRENT';

/** The file the pointer names, or null when there is no index yet. */
export function currentIndexFile(dir: string): string | null {
  const pointer = join(dir, CURRENT_POINTER);
  if (!existsSync(pointer)) return null;
  const name = readFileSync(pointer, 'utf8').trim();
  if (!/^addresses-[\w.-]+\.db$/.test(name)) return null;
  const file = join(dir, name);
  return existsSync(file) ? file : null;
}

/** Points CURRENT at `fileName` (a name inside `dir`) in one atomic step. */
export function pointCurrentAt(dir: string, fileName: string): void {
  const temporary = join(dir, `${CURRENT_POINTER}.${process.pid}.tmp`);
  writeFileSync(temporary, `${fileName}\n`);
  renameSync(temporary, join(dir, CURRENT_POINTER));
}
