/**
 * Zone files are read off the thread that answers suggestions: in a few worker threads, each with
 * its own memory limit (`resourceLimits`), one file per worker at a time and a short queue, each
 * read bounded in time. A file that needs more memory or time than a zone file may is refused in
 * words (ZoneFileError `too_large`); the worker is replaced, and nobody else waits on it.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { movableBytes } from '../workers/movable-bytes.js';
import { ZoneFileError, type ReadOptions, type ReadZoneFile } from './zone-file.js';
import type { editZones, PreparedZoneFile, ZoneListing } from './stored-zones.js';
import type { CompiledZoneParts } from './zone-index.js';

export interface ZoneReaderLimits {
  /** Files read at once, server-wide (the machine's cores are for answering too). */
  workers: number;
  /** Files waiting for a worker; past that an upload is told to come back. */
  queue: number;
  /** Each worker's heap: a 500 × 1,000-vertex KML needs about 150 MB. */
  memoryMb: number;
  timeoutMs: number;
}

/** One reader per core beyond the first: the first core is the one that answers suggestions. */
export const ZONE_READER_LIMITS: ZoneReaderLimits = { workers: Math.max(1, Math.min(4, availableParallelism() - 1)), queue: 8, memoryMb: 384, timeoutMs: 60_000 };

/** The reader is full: as many files waiting as it takes. */
export class ZoneReaderBusy extends Error {}

interface Job {
  id: number;
  body?: Buffer;
  /** The body is the caller's no more: it moves to the worker without a copy when it can. */
  handOver?: boolean;
  options?: ReadOptions;
  firstId?: number;
  /** An account's stored zones (the store's text) to compile, instead of a file to read. */
  compile?: string;
  /** …or to edit. */
  edit?: { stored: string; edits: Parameters<typeof editZones>[1] };
  resolve(result: never): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

// Under tsx and vitest this module is TypeScript, and so is its worker (loaded through tsx);
// compiled (npm run build) both are JavaScript.
const SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(SOURCE ? './zone-reader-worker.ts' : './zone-reader-worker.js', import.meta.url);

export class ZoneReader {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private next = 1;

  constructor(private readonly limits: ZoneReaderLimits = ZONE_READER_LIMITS) {}

  read(body: Buffer, options: ReadOptions): Promise<ReadZoneFile> {
    return this.enqueue({ body, options });
  }

  /**
   * Reads the file and makes its zones, numbered from `firstId`, into the store's JSON and a
   * listing, all in the worker. With `handOver` the caller gives the body away: a large one moves
   * to the worker without a copy and is empty here afterwards.
   */
  prepare(body: Buffer, options: ReadOptions, firstId: number, handOver = false): Promise<PreparedZoneFile> {
    return this.enqueue({ body, options, firstId, handOver });
  }

  /** An account's stored zones compiled for lookups (ZoneIndex.fromParts): the parse and the bands off this thread. */
  compile(stored: string): Promise<{ parts: CompiledZoneParts[]; listing: ZoneListing[] }> {
    return this.enqueue({ compile: stored });
  }

  /** The stored zones with the admin's edits (stored-zones.ts, editZones), changed in the worker. */
  edit(stored: string, edits: Parameters<typeof editZones>[1]): Promise<string | null> {
    return this.enqueue({ edit: { stored, edits } });
  }

  private enqueue<T>(work: Pick<Job, 'body' | 'options' | 'firstId' | 'handOver' | 'compile' | 'edit'>): Promise<T> {
    if (this.waiting.length >= this.limits.queue) return Promise.reject(new ZoneReaderBusy(`${this.waiting.length} zone files are waiting to be read`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ id: this.next++, ...work, resolve: resolve as (result: never) => void, reject });
      this.pump();
    });
  }

  /** Files being read and waiting (for a test, and the console's metrics). */
  get load(): { reading: number; waiting: number } {
    return { reading: this.slots.filter((s) => s.job).length, waiting: this.waiting.length };
  }

  async close(): Promise<void> {
    for (const job of this.waiting.splice(0)) job.reject(new Error('the server is stopping'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.waiting.length) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.limits.workers) slot = this.spawn();
      if (!slot) return;
      const job = this.waiting.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.fail(slot!, new ZoneFileError(`Reading the file took longer than ${this.limits.timeoutMs / 1000} s (a file of 500 zones takes about one): it is too complex, or the server is very busy now. Simplify the zones or split the file, or try again later.`, 'too_large')), this.limits.timeoutMs);
      if (job.compile !== undefined || job.edit !== undefined) {
        slot.worker.postMessage({ id: job.id, compile: job.compile, edit: job.edit });
        continue;
      }
      const body = movableBytes(job.body!, job.handOver === true);
      slot.worker.postMessage({ id: job.id, body, options: job.options, firstId: job.firstId }, [body.buffer]);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, {
      execArgv: SOURCE ? ['--import', 'tsx'] : [],
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    worker.unref(); // an idle reader never keeps the process alive
    const slot: Slot = { worker, job: null, timer: null };
    worker.on('message', (message: { id: number; result?: never; error?: { message: string; reason?: ZoneFileError['reason']; details?: string[] } }) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      this.finish(slot);
      if (message.error) job.reject(message.error.reason ? new ZoneFileError(message.error.message, message.error.reason, message.error.details) : new Error(message.error.message));
      else job.resolve(message.result!);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const tooBig = error.code === 'ERR_WORKER_OUT_OF_MEMORY' || /heap|memory/i.test(error.message);
      this.fail(slot, tooBig ? new ZoneFileError(`The file needs more than ${this.limits.memoryMb} MB to read; a zone file of 500 zones needs far less. Simplify the zones or split the file.`, 'too_large') : error);
    });
    worker.on('exit', () => this.fail(slot, new Error('the zone reader stopped')));
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    this.pump();
  }

  /** The job in this worker fails; the worker goes (a new one is made when needed). */
  private fail(slot: Slot, error: unknown): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = null;
    void slot.worker.terminate();
    job?.reject(error);
    this.pump();
  }
}
