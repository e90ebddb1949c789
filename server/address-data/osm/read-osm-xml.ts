/** OpenStreetMap XML (.osm, .osm.gz, .osm.bz2), streamed with sax. */
import { PassThrough } from 'node:stream';
import sax from 'sax';
import type { AddressRecord } from './address-record.js';
import { osmRecords, type OsmElement } from './osm-records.js';
import { openFile, type ByteProgress } from './open-file.js';

function osmXmlElements(path: string, onBytes?: ByteProgress): AsyncIterable<OsmElement> {
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
  openFile(path, onBytes).on('error', (error) => out.destroy(error)).pipe(parser);
  return out;
}

export function readOsmXml(path: string, onBytes?: ByteProgress): AsyncGenerator<AddressRecord> {
  return osmRecords((pass) => osmXmlElements(path, onBytes && ((read) => onBytes(read, { pass, of: 2 }))));
}
