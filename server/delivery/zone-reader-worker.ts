/**
 * The worker thread a zone file is read in (zone-reader.ts): parsing, checking, the
 * self-crossing sweep and the store's JSON of the zones are made here, under the thread's own memory limit, so a hostile file costs its
 * uploader a refusal and every other account nothing.
 */
import { parentPort } from 'node:worker_threads';
import { readZoneFile, ZoneFileError, type ReadOptions } from './zone-file.js';
import { editZones, listingOf, prepareZones } from './stored-zones.js';
import { compileZone, type CompiledZoneParts } from './zone-index.js';
import { yieldToAnsweringThread } from '../workers/thread-priority.js';
import { unpackZones, type StoredZone } from '../store/delivery-zones-repository.js';

// Tens of seconds for a file on a loaded machine: the reader's time limit allows for that.
yieldToAnsweringThread();

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
