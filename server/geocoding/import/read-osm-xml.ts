/** OpenStreetMap XML (.osm, or gzipped .osm.gz), streamed with sax. */
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import sax from 'sax';
import type { AddressRecord } from './address-record.js';
import { osmRecords, type OsmElement } from './osm-records.js';

function osmXmlElements(path: string): AsyncIterable<OsmElement> {
  const out = new PassThrough({ objectMode: true });
  const parser = sax.createStream(true, {});
  let current: OsmElement | null = null;
  parser.on('opentag', (tag) => {
    const a = tag.attributes as Record<string, string>;
    if (tag.name === 'node' || tag.name === 'way' || tag.name === 'relation') {
      current = { kind: tag.name, id: a.id, lat: a.lat !== undefined ? Number(a.lat) : null, lon: a.lon !== undefined ? Number(a.lon) : null, tags: {}, refs: [], members: [] };
    } else if (tag.name === 'tag' && current) {
      current.tags[a.k] = a.v;
    } else if (tag.name === 'nd' && current) {
      current.refs.push(a.ref);
    } else if (tag.name === 'member' && current) {
      current.members!.push({ type: a.type, ref: a.ref, role: a.role ?? '' });
    }
  });
  parser.on('closetag', (name) => {
    if ((name === 'node' || name === 'way' || name === 'relation') && current) {
      out.write(current);
      current = null;
    }
  });
  parser.on('end', () => out.end());
  parser.on('error', (error) => out.destroy(error));
  const file = createReadStream(path).on('error', (error) => out.destroy(error));
  // .osm.gz as mirrors publish it: unpacked while it streams, never whole in memory.
  const text = /\.gz$/i.test(path) ? file.pipe(createGunzip()).on('error', (error) => out.destroy(error)) : file;
  text.pipe(parser);
  return out;
}

export function readOsmXml(path: string): AsyncGenerator<AddressRecord> {
  return osmRecords(osmXmlElements(path));
}
