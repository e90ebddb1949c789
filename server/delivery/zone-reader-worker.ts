/**
 * The worker thread a zone file is read in (zone-reader.ts): parsing, checking, the
 * self-crossing sweep and the store's JSON of the zones are made here, under the thread's own memory limit, so a hostile file costs its
 * uploader a refusal and every other account nothing.
 */
import { parentPort } from 'node:worker_threads';
import { readZoneFile, ZoneFileError, type ReadOptions } from './zone-file.js';
import { prepareZones } from './stored-zones.js';

/** `firstId` given: the zones come back as the store's JSON and a listing (stored-zones.ts); else as read. */
parentPort!.on('message', (job: { id: number; body: Uint8Array; options: ReadOptions; firstId?: number }) => {
  readZoneFile(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength), job.options).then(
    (read) => parentPort!.postMessage({ id: job.id, result: job.firstId === undefined ? read : prepareZones(read, job.firstId) }),
    (error: unknown) =>
      parentPort!.postMessage({
        id: job.id,
        error: error instanceof ZoneFileError ? { message: error.message, reason: error.reason, details: error.details } : { message: (error as Error)?.message ?? String(error) },
      }),
  );
});
