/** OpenStreetMap XML (.osm), streamed with sax. */
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import sax from 'sax';
import type { AddressRecord } from './address-record.js';
import { osmRecords, type OsmElement } from './osm-records.js';

function osmXmlElements(path: string): AsyncIterable<OsmElement> {
  const out = new PassThrough({ objectMode: true });
  const parser = sax.createStream(true, {});
  let current: OsmElement | null = null;
  parser.on('opentag', (tag) => {
    const a = tag.attributes as Record<string, string>;
    if (tag.name === 'node' || tag.name === 'way') {
      current = { kind: tag.name, id: a.id, lat: a.lat !== undefined ? Number(a.lat) : null, lon: a.lon !== undefined ? Number(a.lon) : null, tags: {}, refs: [] };
    } else if (tag.name === 'tag' && current) {
      current.tags[a.k] = a.v;
    } else if (tag.name === 'nd' && current) {
      current.refs.push(a.ref);
    }
  });
  parser.on('closetag', (name) => {
    if ((name === 'node' || name === 'way') && current) {
      out.write(current);
      current = null;
    }
  });
  parser.on('end', () => out.end());
  parser.on('error', (error) => out.destroy(error));
  createReadStream(path).on('error', (error) => out.destroy(error)).pipe(parser);
  return out;
}

export function readOsmXml(path: string): AsyncGenerator<AddressRecord> {
  return osmRecords(osmXmlElements(path));
}
