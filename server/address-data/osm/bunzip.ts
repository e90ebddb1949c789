/**
 * bzip2 as a stream with a bound: the block decoder of unbzip2-stream (lib/bzip2.js, the
 * BWT/Huffman part) driven by our own Transform, because its stream wrapper decodes every block it
 * holds in one synchronous loop and gathers each block's output one byte at a time in a JS array:
 * a 1 KB bomb reaches 1.4 GB before anything downstream can say no. Here output goes into 64 KB
 * buffers and `limit` is asked at each one: a throw stops the decoder within 64 KB of the bound.
 */
import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';

const require = createRequire(import.meta.url);
type BitReader = ((n: number | null) => number) & { bytesRead: number };
const bzip2 = require('unbzip2-stream/lib/bzip2') as {
  header(bits: BitReader): number;
  decompress(bits: BitReader, out: (byte: number) => void, buf: Int32Array, size: number, streamCRC: number | null): number | null;
};
const bitIterator = require('unbzip2-stream/lib/bit_iterator') as (next: () => Buffer | undefined) => BitReader;

const OUT = 64 * 1024;

export class Bunzip extends Transform {
  private readonly queue: Buffer[] = [];
  private received = 0;
  private bits: BitReader | null = null;
  private blockSize = 0;
  private streamCRC: number | null = null;
  private work: Int32Array | null = null;
  private out = Buffer.allocUnsafe(OUT);
  private at = 0;
  private readonly emitByte = (byte: number) => {
    this.out[this.at++] = byte;
    if (this.at === OUT) this.emitOut();
  };

  /** `limit(bytes)` is told each 64 KB unpacked; an Error it returns ends the stream with it. */
  constructor(private readonly limit: (bytes: number) => Error | null = () => null) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.queue.push(chunk);
    this.received += chunk.length;
    this.bits ??= bitIterator(() => this.queue.shift());
    try {
      // A block is decoded only once all of it can have arrived (the largest is 900 KB and some).
      while (this.received - this.bits.bytesRead + 1 >= (this.blockSize ? 25_000 + 100_000 * this.blockSize : 4)) this.block();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      while (this.bits && this.received > this.bits.bytesRead) this.block();
      if (this.blockSize) throw new Error('the bzip2 stream ends inside a block (a cut file)');
      if (this.at) this.emitOut();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  /** One step: a stream header, or one block (its bytes pushed), or a stream's end marker. */
  private block(): void {
    if (!this.blockSize) {
      this.blockSize = bzip2.header(this.bits!);
      this.streamCRC = 0;
      this.work = new Int32Array(100_000 * this.blockSize);
      return;
    }
    this.streamCRC = bzip2.decompress(this.bits!, this.emitByte, this.work!, this.work!.length, this.streamCRC);
    // null: the stream's end marker (its CRC checked); a next concatenated stream may follow.
    if (this.streamCRC === null) this.blockSize = 0;
  }

  private emitOut(): void {
    const error = this.limit(this.at);
    if (error) throw error;
    this.push(Buffer.from(this.out.subarray(0, this.at)));
    this.at = 0;
  }
}
