/**
 * An OpenStreetMap PBF file as blocks decoded on worker threads (one per core, at most two here:
 * the main thread builds the records): the file's frames are cut here and checked against the
 * format's limits (wiki.openstreetmap.org/wiki/PBF_Format: "The BlobHeader … must be less than
 * 64 KiB", a Blob's data "must be less than 32 MiB"), each blob moves to a worker without a copy,
 * and the decoded blocks come back in file order. At most a few blocks are in flight, so memory
 * does not grow with the file.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { openFile, type ByteProgress } from '../open-file.js';
import type { BlockResult, PassContext } from './primitive-block.js';
import { ProtoReader } from './proto-reader.js';

const MAX_HEADER = 64 * 1024;
const MAX_BLOB = 32 * 1024 * 1024;
const SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(SOURCE ? './pbf-worker.ts' : './pbf-worker.js', import.meta.url);

export class PbfReader {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve(result: BlockResult): void; reject(error: Error): void }>();
  private seq = 0;
  private failure: Error | null = null;

  constructor(threads = Math.max(1, Math.min(2, availableParallelism()))) {
    this.workers = Array.from({ length: threads }, () => this.spawn());
  }

  /** The file's data blocks, decoded for `ctx`'s pass, in order. */
  async *blocks(path: string, ctx: PassContext, onBytes?: ByteProgress): AsyncGenerator<BlockResult> {
    for (const w of this.workers) w.postMessage({ pass: ctx });
    const queue: Array<Promise<BlockResult>> = [];
    const limit = this.workers.length * 3;
    for await (const blob of frames(openFile(path, onBytes))) {
      queue.push(this.decode(blob));
      while (queue.length >= limit) yield await queue.shift()!;
    }
    while (queue.length) yield await queue.shift()!;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private decode(blob: Uint8Array): Promise<BlockResult> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    const worker = this.workers[seq % this.workers.length];
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      worker.postMessage({ seq, blob }, [blob.buffer as ArrayBuffer]);
    });
  }

  private spawn(): Worker {
    // A block's garbage is short-lived: a small young generation makes each worker collect it
    // often instead of growing to hundreds of MB (measured at 50 M nodes: 839 → 581 MB peak for
    // the read); the old generation's cap is far above what one 32 MiB block can need.
    const worker = new Worker(WORKER_URL, { execArgv: SOURCE ? ['--import', 'tsx'] : [], resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 } });
    worker.on('message', (message: { seq: number; result?: BlockResult; error?: string }) => {
      const job = this.waiting.get(message.seq);
      if (!job) return;
      this.waiting.delete(message.seq);
      if (message.result) job.resolve(message.result);
      else job.reject(new Error(message.error));
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const job of this.waiting.values()) job.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => code !== 0 && fail(new Error(`a decoding thread stopped (exit ${code})`)));
    return worker;
  }
}

/** The file's data blobs (OSMData), each in a buffer of its own; an OSMHeader is read past. */
async function* frames(source: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  let chunks: Buffer[] = [];
  let have = 0;
  // Takes `n` bytes off the front of what arrived (the caller made sure they have).
  const take = (n: number): Buffer => {
    const joined = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
    chunks = joined.length > n ? [joined.subarray(n)] : [];
    have -= n;
    return joined.subarray(0, n);
  };
  let need = 4;
  let stage: 'length' | 'header' | 'blob' = 'length';
  let type = '';
  for await (const chunk of source) {
    chunks.push(chunk);
    have += chunk.length;
    while (have >= need) {
      if (stage === 'length') {
        const size = take(4).readUInt32BE(0);
        if (size === 0 || size > MAX_HEADER) throw new Error(`a block header of ${size} bytes (at most 64 KiB): not an OpenStreetMap PBF file`);
        [stage, need] = ['header', size];
      } else if (stage === 'header') {
        const header = new ProtoReader(take(need));
        let datasize = -1;
        type = '';
        while (header.more) {
          const key = header.key();
          if (key === 10) {
            const [s, e] = header.bytes();
            type = header.buf.subarray(s, e).toString();
          } else if (key === 24) datasize = header.varint();
          else header.skip(key & 7);
        }
        if (type !== 'OSMHeader' && type !== 'OSMData') throw new Error(`a block of type "${type || '?'}": not an OpenStreetMap PBF file`);
        if (datasize < 0 || datasize > MAX_BLOB) throw new Error(`a block of ${datasize} bytes (at most 32 MiB): not an OpenStreetMap PBF file`);
        [stage, need] = ['blob', datasize];
      } else {
        // A copy of its own, so it can move to a worker (the stream's chunks are shared slabs).
        const blob = new Uint8Array(take(need));
        if (type === 'OSMData') yield blob;
        [stage, need] = ['length', 4];
      }
    }
  }
  if (have || stage !== 'length') throw new Error('the file ends inside a block: cut short');
}
