/** OpenStreetMap PBF (.osm.pbf), streamed with osm-pbf-parser. */
import { openFile, type ByteProgress } from './open-file.js';
import { createRequire } from 'node:module';
import { Readable, type Transform } from 'node:stream';
import type { AddressRecord } from './address-record.js';
import { osmRecords, type OsmElement } from './osm-records.js';
import { PbfFrameCheck } from './pbf-frames.js';

const require = createRequire(import.meta.url);
const createParser = require('osm-pbf-parser') as () => Transform;

interface PbfItem {
  type: string;
  id: number;
  lat?: number;
  lon?: number;
  tags?: Record<string, string>;
  refs?: number[];
  /** osm-pbf-parser names a member's id `id` (not `ref`, as in XML) */
  members?: Array<{ type: string; id: number; role?: string }>;
}

async function* osmPbfElements(path: string, onBytes?: ByteProgress): AsyncGenerator<OsmElement> {
  const parser = createParser();
  const frames = new PbfFrameCheck();
  frames.on('error', (error) => parser.destroy(error));
  openFile(path, onBytes).on('error', (error) => frames.destroy(error)).pipe(frames).pipe(parser);
  // The parser is a readable-stream v2 stream: wrap it to iterate it.
  for await (const batch of new Readable({ objectMode: true }).wrap(parser) as AsyncIterable<PbfItem[]>) {
    for (const item of batch) {
      if (item.type !== 'node' && item.type !== 'way' && item.type !== 'relation') continue;
      yield {
        kind: item.type,
        id: String(item.id),
        lat: item.lat ?? null,
        lon: item.lon ?? null,
        tags: item.tags ?? {},
        refs: (item.refs ?? []).map(String),
        members: (item.members ?? []).map((m) => ({ type: m.type, ref: String(m.id), role: m.role ?? '' })),
      };
    }
  }
}

export function readOsmPbf(path: string, onBytes?: ByteProgress): AsyncGenerator<AddressRecord> {
  return osmRecords((pass) => osmPbfElements(path, onBytes && ((read) => onBytes(read, { pass, of: 2 }))));
}
