/**
 * Bytes to post to a worker thread and transfer there. A Buffer that is a whole ArrayBuffer of
 * its own (any large one: a request body of megabytes) moves without a copy, when its owner gives
 * it up (`handOver`; it is empty afterwards). Anything else is copied: a small Buffer may be a
 * slice of Node's shared pool, whose other bytes are not ours to move.
 */
export function movableBytes(buffer: Buffer, handOver: boolean): Uint8Array<ArrayBuffer> {
  const whole = handOver && buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength && buffer.buffer instanceof ArrayBuffer;
  return whole ? new Uint8Array(buffer.buffer as ArrayBuffer, 0, buffer.byteLength) : new Uint8Array(buffer);
}
