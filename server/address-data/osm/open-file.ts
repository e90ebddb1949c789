/**
 * An import file as a stream of its text, unpacked while it streams (never whole in memory):
 * `.gz` with zlib, `.bz2` — as OpenStreetMap mirrors publish planet and regional XML — with
 * unbzip2-stream. `onBytes` is told how many bytes of the file itself were read (for progress).
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import type { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';

const require = createRequire(import.meta.url);
const bz2 = require('unbzip2-stream') as () => Transform;

/** Bytes of the file read so far; a reader that reads the file twice says which pass it is in. */
export type ByteProgress = (bytesRead: number, pass?: { pass: number; of: number }) => void;

export function openFile(path: string, onBytes?: ByteProgress): Readable {
  const file = createReadStream(path);
  if (onBytes) file.on('data', () => onBytes(file.bytesRead));
  const unpack = /\.gz$/i.test(path) ? createGunzip() : /\.bz2$/i.test(path) ? bz2() : null;
  if (!unpack) return file;
  file.on('error', (error) => unpack.destroy(error));
  return file.pipe(unpack);
}
