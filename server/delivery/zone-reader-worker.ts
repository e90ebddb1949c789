/**
 * The worker thread a zone file is read in (zone-reader.ts): parsing, checking, the
 * self-crossing sweep and the store's JSON of the zones are made here, under the thread's own memory limit, so a hostile file costs its
 * uploader a refusal and every other account nothing.
 */
import { parentPort } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { readZoneFile, ZoneFileError, type ReadOptions } from './zone-file.js';
import { editZones, listingOf, prepareZones } from './stored-zones.js';
import { compileZone, type CompiledZoneParts } from './zone-index.js';
import { unpackZones, type StoredZone } from '../store/delivery-zones-repository.js';

/**
 * This thread yields the CPU to the one that answers suggestions (nice 10: against busy threads
 * it gets about a tenth of their share, so on a loaded machine a file takes tens of seconds — the
 * reader's time limit allows for that): on Linux a thread has its own nice value, and /proc/thread-self names its id (setpriority(2) with PRIO_PROCESS and a thread id
 * sets that thread's). Elsewhere, or without the right to, it runs at the process's priority.
 */
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // not Linux, or not allowed: the same priority as the rest
}

/** An account's stored zones compiled for lookups, and listed; the bands' typed arrays move to the asking thread. */
function compile(id: number, text: string): void {
  const stored = (JSON.parse(unpackZones(text)) as StoredZone[]).map((z) => ({ ...z, min_order: z.min_order ?? null }));
  const listing = stored.map(listingOf);
  const parts: CompiledZoneParts[] = stored.map(compileZone).map((c) => ({ zone: c.zone, bbox: c.bbox, polygons: c.polygons.map((p) => p.parts) }));
  parentPort!.postMessage({ id, result: { parts, listing } }, parts.flatMap((c) => c.polygons.flatMap((p) => [p.edges.buffer as ArrayBuffer, p.starts.buffer as ArrayBuffer])));
}

/**
 * A file to read (`firstId` given: its zones come back as the store's text and a listing,
 * stored-zones.ts; else as read), an account's stored zones to compile (`compile`), or to edit (`edit`).
 */
parentPort!.on('message', (job: { id: number; body?: Uint8Array; options?: ReadOptions; firstId?: number; compile?: string; edit?: { stored: string; edits: Parameters<typeof editZones>[1] } }) => {
  if (job.edit !== undefined) {
    try {
      parentPort!.postMessage({ id: job.id, result: editZones(job.edit.stored, job.edit.edits) });
    } catch (error) {
      parentPort!.postMessage({ id: job.id, error: { message: (error as Error)?.message ?? String(error) } });
    }
    return;
  }
  if (job.compile !== undefined) {
    try {
      compile(job.id, job.compile);
    } catch (error) {
      parentPort!.postMessage({ id: job.id, error: { message: (error as Error)?.message ?? String(error) } });
    }
    return;
  }
  const body = job.body!;
  readZoneFile(Buffer.from(body.buffer, body.byteOffset, body.byteLength), job.options!).then(
    (read) => parentPort!.postMessage({ id: job.id, result: job.firstId === undefined ? read : prepareZones(read, job.firstId) }),
    (error: unknown) =>
      parentPort!.postMessage({
        id: job.id,
        error: error instanceof ZoneFileError ? { message: error.message, reason: error.reason, details: error.details } : { message: (error as Error)?.message ?? String(error) },
      }),
  );
});
