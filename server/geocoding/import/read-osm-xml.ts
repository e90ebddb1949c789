/**
 * OpenStreetMap XML (.osm): nodes and ways tagged addr:street + addr:housenumber. A way's
 * position is the mean of its nodes, so node coordinates are kept while streaming.
 */
import { createReadStream } from 'node:fs';
import sax from 'sax';
import type { AddressRecord } from './address-record.js';

interface Element {
  kind: 'node' | 'way';
  lat: number | null;
  lon: number | null;
  tags: Record<string, string>;
  refs: string[];
}

export async function* readOsmXml(path: string): AsyncGenerator<AddressRecord> {
  const coords = new Map<string, [number, number]>();
  const ready: AddressRecord[] = [];
  let current: Element | null = null;
  const parser = sax.createStream(true, {});
  parser.on('opentag', (tag) => {
    const a = tag.attributes as Record<string, string>;
    if (tag.name === 'node' || tag.name === 'way') {
      const lat = a.lat !== undefined ? Number(a.lat) : null;
      const lon = a.lon !== undefined ? Number(a.lon) : null;
      if (tag.name === 'node' && lat !== null && lon !== null) coords.set(a.id, [lat, lon]);
      current = { kind: tag.name, lat, lon, tags: {}, refs: [] };
    } else if (tag.name === 'tag' && current) {
      current.tags[a.k] = a.v;
    } else if (tag.name === 'nd' && current) {
      current.refs.push(a.ref);
    }
  });
  parser.on('closetag', (name) => {
    if ((name === 'node' || name === 'way') && current) {
      const record = toRecord(current, coords);
      if (record) ready.push(record);
      current = null;
    }
  });
  const stream = createReadStream(path);
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
    stream.on('error', reject);
  });
  stream.pipe(parser);
  // Drain what the parser produced as the file streams in.
  let finished = false;
  done.then(() => (finished = true)).catch(() => (finished = true));
  while (!finished || ready.length) {
    if (ready.length) yield ready.shift()!;
    else await Promise.race([done, new Promise((r) => setTimeout(r, 5))]);
  }
  await done;
}

function toRecord(el: Element, coords: Map<string, [number, number]>): AddressRecord | null {
  const t = el.tags;
  if (!t['addr:street'] || !t['addr:housenumber']) return null;
  let lat = el.lat;
  let lon = el.lon;
  if (el.kind === 'way') {
    const points = el.refs.map((r) => coords.get(r)).filter((p): p is [number, number] => !!p);
    lat = points.length ? points.reduce((s, p) => s + p[0], 0) / points.length : null;
    lon = points.length ? points.reduce((s, p) => s + p[1], 0) / points.length : null;
  }
  return {
    city: t['addr:city'] ?? t['addr:place'] ?? null,
    street: t['addr:street'],
    house: t['addr:housenumber'],
    region: t['addr:region'] ?? t['addr:state'] ?? null,
    postcode: t['addr:postcode'] ?? null,
    lat,
    lon,
  };
}
