/**
 * A worker thread of the PBF import (pbf-reader.ts): unpacks a blob (zlib, at most 32 MiB
 * whatever it declares: the format's own limit, wiki.openstreetmap.org/wiki/PBF_Format) and
 * decodes it for the pass under way. Positions of pass 3 go straight into the shared arrays.
 */
import { parentPort } from 'node:worker_threads';
import { inflateSync } from 'node:zlib';
import { decodeBlock, finish, type BlockResult, type PassContext } from './primitive-block.js';
import { ProtoReader } from './proto-reader.js';

const MAX_BLOB = 32 * 1024 * 1024;
let ctx: PassContext = { pass: 1 };

/** The blob's data, unpacked (fileformat.proto Blob: 1 raw, 2 raw_size, 3 zlib_data; others are refused). */
function unpack(blob: Uint8Array): Uint8Array {
  const r = new ProtoReader(blob);
  let rawSize = 0;
  while (r.more) {
    const key = r.key();
    if (key === 10) {
      const [s, e] = r.bytes();
      return blob.subarray(s, e);
    }
    if (key === 16) rawSize = r.varint();
    else if (key === 26) {
      if (rawSize > MAX_BLOB) throw new Error(`a block that declares ${rawSize} bytes unpacked (at most 32 MiB): not an OpenStreetMap PBF file, or a bomb`);
      const [s, e] = r.bytes();
      try {
        return inflateSync(blob.subarray(s, e), { maxOutputLength: MAX_BLOB });
      } catch (error) {
        throw new Error((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'a block that unpacks past 32 MiB: a bomb' : `a block that does not unpack (${(error as Error).message}): damaged`);
      }
    } else if (key === 34 || key === 50 || key === 58) throw new Error('a block packed with LZMA, LZ4 or Zstandard: only zlib is read (re-save the extract with osmium)');
    else r.skip(key & 7);
  }
  throw new Error('a block with no data: damaged');
}

function transferables(result: BlockResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (result.nodeRefs) out.push(result.nodeRefs.buffer as ArrayBuffer);
  if (result.ways) out.push(result.ways.ids.buffer as ArrayBuffer, result.ways.offsets.buffer as ArrayBuffer, result.ways.refs.buffer as ArrayBuffer);
  return out;
}

parentPort!.on('message', (message: { pass?: PassContext; seq?: number; blob?: Uint8Array }) => {
  if (message.pass) {
    ctx = message.pass;
    return;
  }
  try {
    const result = finish(decodeBlock(unpack(message.blob!), ctx));
    parentPort!.postMessage({ seq: message.seq, result }, transferables(result));
  } catch (error) {
    parentPort!.postMessage({ seq: message.seq, error: (error as Error).message });
  }
});
