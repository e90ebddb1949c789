/**
 * The address index a server answers from: the file CURRENT names (store/index-files.ts), opened
 * read-only. A build elsewhere (another process, a cron job) writes a new file and moves CURRENT;
 * `refresh()` — on a timer in a running server — sees the new name, opens the new file and
 * only then lets the old one go, so a suggestion in progress never sees a closed index and
 * the switch costs one file open (a few milliseconds), not a wait.
 */
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Db } from '../store/database.js';
import { openIndexDatabase } from '../store/index-database.js';
import { CURRENT_POINTER, currentIndexFile } from '../store/index-files.js';
import { PlacesRepository } from '../store/places-repository.js';

export interface PlacesSource {
  readonly current: PlacesRepository;
}

export class ServedIndex implements PlacesSource {
  private db: Db;
  private repository: PlacesRepository;
  private file: string;
  private pointerStamp: string;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly listeners: Array<(file: string, switchMs: number) => void> = [];

  constructor(private readonly dir: string) {
    const file = currentIndexFile(dir);
    if (!file) throw new Error(`${dir}: no address index (CURRENT names no file); build one first`);
    this.file = file;
    this.db = openIndexDatabase(file, { readonly: true });
    this.repository = new PlacesRepository(this.db);
    this.pointerStamp = this.stamp();
  }

  get current(): PlacesRepository {
    return this.repository;
  }

  /** The name of the file being served. */
  get fileName(): string {
    return basename(this.file);
  }

  /** Called after every switch (the suggestion cache forgets answers from the old file). */
  onSwitch(listener: (file: string, switchMs: number) => void): void {
    this.listeners.push(listener);
  }

  /** Switches to the file CURRENT names if it changed; true when it did. */
  refresh(): boolean {
    const stamp = this.stamp();
    if (stamp === this.pointerStamp) return false;
    const file = currentIndexFile(this.dir);
    if (!file || file === this.file) {
      this.pointerStamp = stamp;
      return false;
    }
    const started = performance.now();
    // A file that cannot be opened throws here, before anything changed: the next look tries again.
    const db = openIndexDatabase(file, { readonly: true });
    this.pointerStamp = stamp;
    const old = this.db;
    this.db = db;
    this.repository = new PlacesRepository(db);
    this.file = file;
    // Queries run synchronously on this thread: none can be inside the old file now.
    old.close();
    const switchMs = performance.now() - started;
    for (const listener of this.listeners) listener(basename(file), switchMs);
    return true;
  }

  /** Looks at CURRENT every `intervalMs` (a stat: microseconds). */
  watch(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.refresh();
      } catch {
        // A file that cannot be opened is not switched to; the next look tries again.
      }
    }, intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.db.close();
  }

  /** CURRENT is replaced by rename: a new inode (and time) each switch. */
  private stamp(): string {
    try {
      const s = statSync(join(this.dir, CURRENT_POINTER));
      return `${s.ino}:${s.mtimeMs}`;
    } catch {
      return '';
    }
  }
}
