/**
 * Protocol Buffers wire format, read straight from bytes (protobuf.dev/programming-guides/encoding):
 * varints as JS numbers (exact up to 2^53: OpenStreetMap ids are near 1.3e10), zigzag for sint64,
 * length-delimited fields as subarrays (no copy). Just what osmformat.proto needs, without
 * allocating an object per element: the decoder walks packed arrays itself.
 */
export class ProtoReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get more(): boolean {
    return this.pos < this.end;
  }

  varint(): number {
    const buf = this.buf;
    let byte = buf[this.pos++];
    if (byte < 0x80) return byte;
    let result = byte & 0x7f;
    let mult = 0x80;
    for (let i = 1; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('a damaged block: a number runs past its end');
      byte = buf[this.pos++];
      result += (byte & 0x7f) * mult;
      if (byte < 0x80) return result;
      mult *= 0x80;
    }
    throw new Error('a damaged block: a number longer than 10 bytes');
  }

  /** sint64 (zigzag). */
  svarint(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** A field's key: its number × 8 + wire type. */
  key(): number {
    return this.varint();
  }

  /** The bounds of a length-delimited field's bytes; the reader moves past them. */
  bytes(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new Error('a damaged block: a field runs past its end');
    this.pos += length;
    return [start, start + length];
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else if (wire === 1) this.pos += 8;
    else throw new Error(`a damaged block: wire type ${wire}`);
  }
}
