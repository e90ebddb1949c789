/**
 * An import file as a stream of its text, unpacked while it streams (never whole in memory):
 * `.gz` with zlib, `.bz2` — as OpenStreetMap mirrors publish planet and regional XML — with
 * bunzip.ts (unbzip2-stream's decoder, bounded). `onBytes` is told how many bytes of the file itself were read (for progress).
 *
 * A packed file is bounded (a bomb is refused within seconds, at bounded memory): past its first
 * megabyte it may not inflate to more than INFLATE_RATIO times what was read of it. Real extracts
 * pack about 10–20 to 1.
 */
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Bunzip } from './bunzip.js';

export const INFLATE_RATIO = 100;
const INFLATE_GRACE = 1024 * 1024;

/** Bytes of the file read so far; a reader that reads the file twice says which pass it is in. */
export type ByteProgress = (bytesRead: number, pass?: { pass: number; of: number }) => void;

export function openFile(path: string, onBytes?: ByteProgress): Readable {
  const file = createReadStream(path);
  if (onBytes) file.on('data', () => onBytes(file.bytesRead));
  let inflated = 0;
  const tooMuch = (more: number) => {
    inflated += more;
    if (inflated <= INFLATE_GRACE || inflated <= INFLATE_RATIO * Math.max(file.bytesRead, 1)) return null;
    return new Error(`it inflates more than ${INFLATE_RATIO} times its size (${(inflated / 1e6).toFixed(0)} MB from ${(file.bytesRead / 1e3).toFixed(0)} KB): not an extract, or a bomb`);
  };
  const unpack = /\.gz$/i.test(path) ? createGunzip() : /\.bz2$/i.test(path) ? new Bunzip(tooMuch) : null;
  if (!unpack) return file;
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      // bzip2 counts its own output (bunzip.ts); gzip's is counted here.
      if (!(unpack instanceof Bunzip)) {
        const error = tooMuch(chunk.length);
        if (error) return done(error);
      }
      done(null, chunk);
    },
  });
  const fail = (error: Error) => bounded.destroy(error);
  file.on('error', fail);
  unpack.on('error', fail);
  bounded.on('close', () => {
    file.destroy();
    unpack.destroy();
  });
  return file.pipe(unpack).pipe(bounded);
}

