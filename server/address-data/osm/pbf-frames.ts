/**
 * The framing of an OpenStreetMap PBF file, checked before a blob reaches the parser
 * (wiki.openstreetmap.org/wiki/PBF_Format: "The BlobHeader should be less than 32 KiB and must be
 * less than 64 KiB. The uncompressed length of a Blob should be less than 16 MiB and must be less
 * than 32 MiB"): a header or blob over those sizes, or zlib data that inflates past 32 MiB
 * whatever it declares, stops the read at once. Bytes pass through unchanged.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { inflateSync } from 'node:zlib';

const MAX_HEADER = 64 * 1024;
const MAX_BLOB = 32 * 1024 * 1024;

export class PbfFrameCheck extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Chunks that arrived while a part is incomplete: joined once it is (a 32 MiB blob arrives in hundreds). */
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  /** Bytes of the next frame part still expected: a header, then its blob. */
  private stage: { kind: 'length' } | { kind: 'header'; size: number } | { kind: 'blob'; size: number } = { kind: 'length' };

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    if (this.pending.length + this.waitingBytes < this.needed()) {
      done(null, chunk);
      return;
    }
    this.pending = Buffer.concat([this.pending, ...this.waiting]);
    this.waiting = [];
    this.waitingBytes = 0;
    try {
      this.consume();
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.pending.length || this.waitingBytes || this.stage.kind !== 'length' ? new Error('the file ends inside a block: cut short') : null);
  }

  private needed(): number {
    return this.stage.kind === 'length' ? 4 : this.stage.size;
  }

  private consume(): void {
    for (;;) {
      if (this.stage.kind === 'length') {
        if (this.pending.length < 4) return;
        const size = this.pending.readUInt32BE(0);
        if (size === 0 || size > MAX_HEADER) throw new Error(`a block header of ${size} bytes (at most 64 KiB): not an OpenStreetMap PBF file`);
        this.pending = this.pending.subarray(4);
        this.stage = { kind: 'header', size };
      } else if (this.stage.kind === 'header') {
        if (this.pending.length < this.stage.size) return;
        const header = fields(this.pending.subarray(0, this.stage.size));
        const type = header.get(1)?.bytes?.toString('utf8');
        const datasize = header.get(3)?.value ?? -1;
        if (type !== 'OSMHeader' && type !== 'OSMData') throw new Error(`a block of type "${type ?? '?'}": not an OpenStreetMap PBF file`);
        if (datasize < 0 || datasize > MAX_BLOB) throw new Error(`a block of ${datasize} bytes (at most 32 MiB): not an OpenStreetMap PBF file`);
        this.pending = this.pending.subarray(this.stage.size);
        this.stage = { kind: 'blob', size: datasize };
      } else {
        if (this.pending.length < this.stage.size) return;
        checkBlob(this.pending.subarray(0, this.stage.size));
        this.pending = this.pending.subarray(this.stage.size);
        this.stage = { kind: 'length' };
      }
    }
  }
}

function checkBlob(blob: Buffer): void {
  const blobFields = fields(blob);
  const rawSize = blobFields.get(2)?.value ?? 0;
  if (rawSize > MAX_BLOB) throw new Error(`a block that declares ${rawSize} bytes unpacked (at most 32 MiB): not an OpenStreetMap PBF file, or a bomb`);
  const zlib = blobFields.get(3)?.bytes;
  if (zlib) {
    try {
      inflateSync(zlib, { maxOutputLength: MAX_BLOB });
    } catch (error) {
      throw new Error((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'a block that unpacks past 32 MiB: a bomb' : `a block that does not unpack (${(error as Error).message}): damaged`);
    }
  }
}

/** The top-level fields of a protobuf message: varints by value, length-delimited by bytes. */
function fields(message: Buffer): Map<number, { value?: number; bytes?: Buffer }> {
  const out = new Map<number, { value?: number; bytes?: Buffer }>();
  let at = 0;
  const varint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (at >= message.length || shift > 49) throw new Error('a damaged block header: not an OpenStreetMap PBF file');
      const byte = message[at++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (at < message.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) out.set(field, { value: varint() });
    else if (wire === 2) {
      const length = varint();
      if (at + length > message.length) throw new Error('a damaged block: not an OpenStreetMap PBF file');
      out.set(field, { bytes: message.subarray(at, at + length) });
      at += length;
    } else if (wire === 5) at += 4;
    else if (wire === 1) at += 8;
    else throw new Error('a damaged block: not an OpenStreetMap PBF file');
  }
  return out;
}
