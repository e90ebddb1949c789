/**
 * Random access to a zip archive's entries (yauzl reads the central directory, then inflates
 * only the entries asked for: nothing is unpacked to disk). The registry's full archive is
 * 57 GB (zip64), one folder per region; an import reads the regions it was asked for.
 *
 * Bounds against a bomb, checked before an entry is inflated: its declared size and its ratio of
 * inflated to stored bytes. yauzl refuses an entry that inflates past its declared size, so the
 * declaration cannot lie.
 */
import yauzl from 'yauzl';
import { Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { DataError } from '../index-build.js';
import { openRemoteZip } from './remote-zip.js';
import type { WebPolicy } from '../web-fetch.js';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

export interface InflateLimits {
  /** The largest entry, inflated. The biggest real one (a large region's AS_HOUSES_PARAMS) is a few tens of GB. */
  maxEntryBytes: number;
  /** Inflated bytes per stored byte. The registry's XML packs about 9–20 to 1. */
  maxRatio: number;
}

export const DEFAULT_LIMITS: InflateLimits = { maxEntryBytes: 64 * 1024 ** 3, maxRatio: 200 };

export class ZipArchive {
  private constructor(
    readonly path: string,
    private readonly zip: yauzl.ZipFile,
    private readonly byName: Map<string, yauzl.Entry>,
  ) {}

  /** A local file, or an http(s) URL read by byte ranges (remote-zip.ts). */
  static async open(path: string, options: { onRemoteBytes?: (bytes: number) => void; web?: WebPolicy } = {}): Promise<ZipArchive> {
    const opening = /^https?:\/\//.test(path)
      ? openRemoteZip(path, options.onRemoteBytes, options.web)
      : new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true }, (error, file) => (error ? reject(error) : resolve(file))));
    const zip = await opening.catch((error: Error) => {
      if (error instanceof DataError) throw error;
      throw new DataError(`${path}: not a readable zip archive (${error.message}); download it again`);
    });
    const byName = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        byName.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    }).catch((error: Error) => {
      zip.close();
      throw new DataError(`${path}: the archive's table of contents is damaged (${error.message}); download it again`);
    });
    // Later errors of the archive itself reach the entry being read (open below); none may go unheard and end the process.
    zip.on('error', () => {});
    return new ZipArchive(path, zip, byName);
  }

  get entries(): ZipEntry[] {
    return [...this.byName.values()].map((e) => ({ name: e.fileName, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize }));
  }

  /** The entry's inflated bytes as a stream, after the bomb checks. */
  async open(name: string, limits: InflateLimits = DEFAULT_LIMITS): Promise<Readable> {
    const entry = this.byName.get(name);
    if (!entry) throw new DataError(`${this.path}: no entry ${name}`);
    if (entry.uncompressedSize > limits.maxEntryBytes) {
      throw new DataError(`${this.path}: ${name} would inflate to ${(entry.uncompressedSize / 1e9).toFixed(1)} GB, over the ${(limits.maxEntryBytes / 1e9).toFixed(0)} GB allowed; not a registry archive (or a zip bomb)`);
    }
    if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxRatio) {
      throw new DataError(`${this.path}: ${name} inflates ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))} times its stored size (at most ${limits.maxRatio} allowed); not a registry archive (or a zip bomb)`);
    }
    const stream = await new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStream(entry, (error, stream) => (error ? reject(new DataError(`${this.path}: ${name} cannot be read (${error.message}); download the archive again`)) : resolve(stream))),
    );
    // A damaged entry (bad deflate data, a range that cannot be read) fails the reader with the one-line "download again",
    // never as an unheard 'error' event: .pipe() alone does not pass errors on.
    const checked = crcCheck(entry, this.path);
    stream.on('error', (error: Error) => checked.destroy(error instanceof DataError ? error : new DataError(`${this.path}: ${name} is damaged (${error.message}); download the archive again`)));
    return stream.pipe(checked);
  }

  close(): void {
    this.zip.close();
  }
}

/** The entry's CRC-32, as the archive records it, checked over the inflated bytes (yauzl checks only sizes). */
function crcCheck(entry: yauzl.Entry, path: string): Transform {
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      done(crc >>> 0 === entry.crc32 >>> 0 ? null : new DataError(`${path}: ${entry.fileName} is damaged (its checksum does not match); download the archive again`));
    },
  });
}
