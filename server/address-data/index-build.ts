/**
 * Every change to the address index is a build: the served file is copied beside itself (or a
 * new one started), the import runs on the copy, and only a complete, checked copy becomes
 * CURRENT (store/index-files.ts). A failed, empty or interrupted import leaves the served file
 * exactly as it was; its half-written copy is deleted. One build at a time per INDEX_DIR.
 */
import { closeSync, constants, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/database.js';
import { finishBuildWrites, INDEX_LAYOUT, layoutOf, legacyImportedPlaces, openIndexDatabase, startBuildWrites } from '../store/index-database.js';
import { currentIndexFile, pointCurrentAt } from '../store/index-files.js';
import { PlacesRepository } from '../store/places-repository.js';
import { LocalIndex } from '../geocoding/local-index.js';
import { ensureGazetteer } from './gazetteer.js';

/** An expected failure of a build or an import: one line for the operator, no stack trace. */
export class DataError extends Error {
  override name = 'DataError';
}

const LOCK = 'BUILD.lock';

export class IndexBuild {
  readonly db: Db;
  readonly index: LocalIndex;
  private finished = false;

  private constructor(
    private readonly dir: string,
    private readonly fileName: string,
    private readonly previous: string | null,
  ) {
    this.db = openIndexDatabase(this.buildingPath);
    startBuildWrites(this.db);
    this.index = new LocalIndex(new PlacesRepository(this.db));
  }

  /** Starts a build from a copy of the served index (or, with none or `fresh`, from the gazetteer alone). */
  static begin(dir: string, options: { fresh?: boolean; waitForLockMs?: number } = {}): IndexBuild {
    mkdirSync(dir, { recursive: true });
    takeLock(dir, options.waitForLockMs ?? 0);
    try {
      for (const name of readdirSync(dir)) if (name.endsWith('.building')) rmSync(join(dir, name), { force: true });
      const previous = currentIndexFile(dir);
      // Unique even for two builds in one millisecond of one process: the old file is deleted by name.
      const fileName = `addresses-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}.db`;
      // A reflink where the filesystem has them (XFS, Btrfs: instant, no second copy on disk), a copy otherwise
      // (ext4: about 3.4 s for a 1.2 GB index, half of a one-region delta; docs/address-data.md, "Kept current").
      if (previous && !options.fresh) copyFileSync(previous, join(dir, `${fileName}.building`), constants.COPYFILE_FICLONE);
      const build = new IndexBuild(dir, fileName, previous);
      ensureGazetteer(build.index);
      return build;
    } catch (error) {
      releaseLock(dir);
      throw error;
    }
  }

  private get buildingPath(): string {
    return join(this.dir, `${this.fileName}.building`);
  }

  /** Makes the build the served index: the old file is removed (a server still reading it keeps its handle until it switches). */
  commit(): string {
    if (this.finished) throw new Error('build already finished');
    this.finished = true;
    try {
      finishBuildWrites(this.db);
      this.db.close();
      renameSync(this.buildingPath, join(this.dir, this.fileName));
      pointCurrentAt(this.dir, this.fileName);
      if (this.previous) rmSync(this.previous, { force: true });
      return this.fileName;
    } finally {
      releaseLock(this.dir);
    }
  }

  /** Throws the build away; the served index is untouched. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    try {
      if (this.db.open) this.db.close();
    } finally {
      rmSync(this.buildingPath, { force: true });
      releaseLock(this.dir);
    }
  }

  /** Runs `work` on a new build and commits it, or aborts it on any error (which is re-thrown). */
  static async run<T>(dir: string, work: (build: IndexBuild) => Promise<T> | T, options: { fresh?: boolean; waitForLockMs?: number } = {}): Promise<T> {
    const build = IndexBuild.begin(dir, options);
    try {
      const result = await work(build);
      build.commit();
      return result;
    } catch (error) {
      build.abort();
      throw error;
    }
  }
}

/**
 * The served index, created on first start (the gazetteer, plus the places an older release
 * kept inside the accounts' SQLite file) and rebuilt beside itself when the shipped gazetteer
 * changed. Returns what it did, for the start-up log.
 */
export function ensureServedIndex(dir: string, legacy?: Db): { built: boolean; places: number } {
  const current = currentIndexFile(dir);
  if (current && !gazetteerChanged(current)) return { built: false, places: 0 };
  let build: IndexBuild;
  try {
    // With no index yet, wait for the build another process may be making; with one, never hold up a start:
    // the gazetteer is rebuilt by the next start or import.
    build = IndexBuild.begin(dir, { waitForLockMs: current ? 0 : 120_000 });
  } catch (error) {
    if (current && error instanceof DataError) return { built: false, places: 0 };
    throw error;
  }
  try {
    if (!current && legacy) build.index.places.append(legacyImportedPlaces(legacy));
    const places = Object.values(build.index.countBySource()).reduce((a, b) => a + b, 0);
    build.commit();
    return { built: true, places };
  } catch (error) {
    build.abort();
    throw error;
  }
}

/** The served file needs a build: its gazetteer is older than the one shipped, or its layout lacks the lookups (layout 2). */
function gazetteerChanged(file: string): boolean {
  const db = openIndexDatabase(file, { readonly: true });
  try {
    if (layoutOf(db) !== INDEX_LAYOUT) return true;
    const index = new LocalIndex(new PlacesRepository(db));
    return ensureGazetteer(index, undefined, { dryRun: true }) > 0;
  } finally {
    db.close();
  }
}

function takeLock(dir: string, waitMs: number): void {
  const path = join(dir, LOCK);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new DataError(`${dir}: the index folder does not exist`);
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSafe(path));
      if (!holder || !alive(holder)) {
        // Left by a build that died (kill -9, power): it can no longer be writing.
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() >= deadline) throw new DataError(`another index build is running (process ${holder}); wait for it to finish, or stop it`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

function releaseLock(dir: string): void {
  const path = join(dir, LOCK);
  if (existsSync(path) && Number(readFileSafe(path)) === process.pid) rmSync(path, { force: true });
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Whether a process lives (a lock's or a running update's holder). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
