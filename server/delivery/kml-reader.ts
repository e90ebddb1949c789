/**
 * KML as Google My Maps and Yandex's constructor export it (KML 2.2, OGC 07-147r2), and KMZ (a
 * zip holding doc.kml). Placemarks with a Polygon or a MultiGeometry of Polygons become zones;
 * their style is resolved through `styleUrl` to a Style or a StyleMap's "normal" pair (My Maps
 * writes `#poly-CE93D8-2701-28`, the constructor `#fillColor:…`). A KMZ is unpacked in memory
 * with caps on entries and unpacked bytes, counted as they are inflated: a zip bomb stops at the cap.
 */
import sax from 'sax';
import yauzl from 'yauzl';
import type { Polygon } from './geometry.js';
import { kmlColor } from './zone-properties.js';

export interface KmlPlacemark {
  name: string | null;
  description: string | null;
  /** ExtendedData's Data name/value pairs. */
  data: Record<string, string>;
  color: string | null;
  polygons: Array<Polygon | 'unclosed'>;
  /** Positions had a third number (altitude). */
  threeD: boolean;
}

export interface KmlDocument {
  placemarks: KmlPlacemark[];
  /** Placemarks that are not areas (points, lines). */
  skipped: number;
}

export class KmlError extends Error {}

/** Reads KML text. Throws KmlError in words when it is not KML. */
export function readKml(text: string): KmlDocument {
  const parser = sax.parser(true, { trim: false, normalize: false });
  const path: string[] = [];
  const styles = new Map<string, string | null>(); // style id → polygon colour
  const styleMaps = new Map<string, string>(); // StyleMap id → its "normal" styleUrl
  const placemarks: Array<KmlPlacemark & { styleUrl: string | null }> = [];
  let skipped = 0;
  let sawKml = false;

  let styleId: string | null = null;
  let styleColor: string | null = null;
  let lineColor: string | null = null;
  let mapId: string | null = null;
  let pairKey = '';
  let pairUrl = '';
  let current: (KmlPlacemark & { styleUrl: string | null; areas: number; others: number }) | null = null;
  let polygon: Polygon | null = null;
  let polygonUnclosed = false;
  let dataName: string | null = null;
  let textBuf = '';

  const local = (name: string) => name.replace(/^.*:/, '');
  parser.onerror = (error) => {
    throw new KmlError(`the XML cannot be read (${error.message.split('\n')[0]})`);
  };
  parser.onopentag = (tag) => {
    const name = local(tag.name);
    path.push(name);
    textBuf = '';
    if (name === 'kml') sawKml = true;
    if (name === 'Style') {
      styleId = typeof tag.attributes.id === 'string' ? tag.attributes.id : null;
      styleColor = null;
      lineColor = null;
    } else if (name === 'StyleMap') mapId = typeof tag.attributes.id === 'string' ? tag.attributes.id : null;
    else if (name === 'Pair') {
      pairKey = '';
      pairUrl = '';
    } else if (name === 'Placemark') current = { name: null, description: null, data: {}, color: null, polygons: [], threeD: false, styleUrl: null, areas: 0, others: 0 };
    else if (name === 'Polygon' && current) {
      polygon = [];
      polygonUnclosed = false;
    } else if ((name === 'Point' || name === 'LineString') && current) current.others++;
    else if (name === 'Data') dataName = typeof tag.attributes.name === 'string' ? tag.attributes.name : null;
  };
  parser.ontext = (t) => (textBuf += t);
  parser.oncdata = (t) => (textBuf += t);
  parser.onclosetag = (raw) => {
    const name = local(raw);
    const parent = path[path.length - 2];
    const text = textBuf.trim();
    if (name === 'color' && parent === 'PolyStyle') styleColor = kmlColor(text);
    else if (name === 'color' && parent === 'LineStyle') lineColor = kmlColor(text);
    else if (name === 'Style') {
      const color = styleColor ?? lineColor;
      if (current && !styleId) current.color = color; // a Placemark's own inline style
      else if (styleId) styles.set(styleId, color);
      styleId = null;
    } else if (name === 'key' && parent === 'Pair') pairKey = text;
    else if (name === 'styleUrl' && parent === 'Pair') pairUrl = text;
    else if (name === 'Pair' && mapId && pairKey === 'normal') styleMaps.set(mapId, pairUrl);
    else if (name === 'StyleMap') mapId = null;
    else if (name === 'styleUrl' && parent === 'Placemark' && current) current.styleUrl = text;
    else if (name === 'name' && parent === 'Placemark' && current) current.name = text || null;
    else if (name === 'description' && parent === 'Placemark' && current) current.description = text || null;
    else if (name === 'value' && parent === 'Data' && current && dataName) current.data[dataName] = text;
    else if (name === 'coordinates' && polygon && path.includes('LinearRing')) {
      const ring = parseCoordinates(text, current!);
      if (ring.length && (ring[0][0] !== ring[ring.length - 1][0] || ring[0][1] !== ring[ring.length - 1][1])) polygonUnclosed = true;
      polygon.push(ring);
    } else if (name === 'Polygon' && current && polygon) {
      current.polygons.push(polygonUnclosed ? 'unclosed' : polygon);
      current.areas++;
      polygon = null;
    } else if (name === 'Placemark' && current) {
      if (current.areas > 0) placemarks.push(current);
      else skipped++;
      current = null;
    }
    path.pop();
    textBuf = '';
  };
  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof KmlError) throw error;
    throw new KmlError(`the XML cannot be read (${(error as Error).message.split('\n')[0]})`);
  }
  if (!sawKml) throw new KmlError('it is XML but not KML (no <kml> element)');
  for (const p of placemarks) {
    if (p.color || !p.styleUrl) continue;
    const id = p.styleUrl.replace(/^#/, '');
    const via = styleMaps.get(id)?.replace(/^#/, '');
    p.color = styles.get(via ?? id) ?? null;
  }
  return { placemarks: placemarks.map(({ name, description, data, color, polygons, threeD }) => ({ name, description, data, color, polygons, threeD })), skipped };
}

/** "lon,lat[,alt] lon,lat[,alt] …" (KML 2.2 §16.6: tuples separated by whitespace). */
function parseCoordinates(text: string, placemark: { threeD: boolean }): Array<[number, number]> {
  const ring: Array<[number, number]> = [];
  for (const tuple of text.split(/\s+/u)) {
    if (!tuple) continue;
    const parts = tuple.split(',').map(Number);
    if (parts.length < 2 || parts.some((n) => !Number.isFinite(n))) throw new KmlError(`a coordinate “${tuple.slice(0, 40)}” is not "longitude,latitude"`);
    if (parts.length > 2) placemark.threeD = true;
    ring.push([parts[0], parts[1]]);
  }
  return ring;
}

export interface KmzLimits {
  maxEntries: number;
  /** Bytes the KML may unpack to. */
  maxUnpackedBytes: number;
}

/** The KML inside a KMZ (doc.kml, else the first .kml at the top), unpacked within the limits. */
export async function unpackKmz(zip: Buffer, limits: KmzLimits): Promise<string> {
  const file = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true }, (error, z) => (error || !z ? reject(new KmlError(`the KMZ is not a zip archive that can be read (${error?.message ?? 'empty'})`)) : resolve(z))),
  );
  if (file.entryCount > limits.maxEntries) {
    file.close();
    throw new KmlError(`the KMZ holds ${file.entryCount} files; at most ${limits.maxEntries} are read`);
  }
  const entries: yauzl.Entry[] = await new Promise((resolve, reject) => {
    const list: yauzl.Entry[] = [];
    file.on('entry', (e: yauzl.Entry) => {
      list.push(e);
      file.readEntry();
    });
    file.on('end', () => resolve(list));
    file.on('error', (e: Error) => reject(new KmlError(`the KMZ cannot be read (${e.message})`)));
    file.readEntry();
  });
  const kml = entries.find((e) => e.fileName.toLowerCase() === 'doc.kml') ?? entries.find((e) => /\.kml$/iu.test(e.fileName) && !e.fileName.includes('/'));
  if (!kml) {
    file.close();
    throw new KmlError('the KMZ holds no .kml file');
  }
  if (kml.uncompressedSize > limits.maxUnpackedBytes) {
    file.close();
    throw new KmlError(`the KMZ's ${kml.fileName} unpacks to ${mb(kml.uncompressedSize)}; at most ${mb(limits.maxUnpackedBytes)} is read`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    file.openReadStream(kml, (error, stream) => {
      if (error || !stream) return reject(new KmlError(`the KMZ's ${kml.fileName} cannot be unpacked (${error?.message ?? 'no data'})`));
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        // Sizes in a zip's headers can lie: the bytes actually inflated are what is capped.
        if (total > limits.maxUnpackedBytes) {
          stream.destroy();
          reject(new KmlError(`the KMZ's ${kml.fileName} unpacks to more than ${mb(limits.maxUnpackedBytes)}; it is not read`));
        } else chunks.push(chunk);
      });
      stream.on('end', () => resolve());
      stream.on('error', (e: Error) => reject(new KmlError(`the KMZ's ${kml.fileName} cannot be unpacked (${e.message})`)));
    });
  }).finally(() => file.close());
  return Buffer.concat(chunks).toString('utf8');
}

const mb = (bytes: number) => `${Math.round((bytes / 1048576) * 10) / 10} MB`;
