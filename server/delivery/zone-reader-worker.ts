/**
 * The worker thread a zone file is read in (zone-reader.ts): parsing, checking and the
 * self-crossing sweep run here, under the thread's own memory limit, so a hostile file costs its
 * uploader a refusal and every other account nothing.
 */
import { parentPort } from 'node:worker_threads';
import { readZoneFile, ZoneFileError, type ReadOptions } from './zone-file.js';

parentPort!.on('message', (job: { id: number; body: Uint8Array; options: ReadOptions }) => {
  readZoneFile(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength), job.options).then(
    (result) => parentPort!.postMessage({ id: job.id, result }),
    (error: unknown) =>
      parentPort!.postMessage({
        id: job.id,
        error: error instanceof ZoneFileError ? { message: error.message, reason: error.reason, details: error.details } : { message: (error as Error)?.message ?? String(error) },
      }),
  );
});
