/**
 * A point pasted into the address field instead of an address: "55.7558, 37.6173", degrees and
 * minutes ("55°45′21″N 37°37′02″E", "55°45'21\" с.ш."), or a map link from Yandex, Google, 2GIS or
 * OpenStreetMap as their sites write them. Short links ("yandex.ru/maps/-/…", "goo.gl/maps/…") name
 * no point and would need the network to open: they are not read.
 */

export interface Point {
  lat: number;
  lon: number;
}

const NUM = String.raw`-?\d{1,3}(?:\.\d+)?`;

const valid = (lat: number, lon: number): Point | null =>
  Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0) ? { lat, lon } : null;

/** Each reading: a pattern and which of its numbers is the latitude. */
const LINKS: Array<{ pattern: RegExp; order: 'latlon' | 'lonlat' }> = [
  // Yandex Maps: ll=lon,lat; pt=lon,lat; whatshere[point]=lon,lat (the comma may be %2C)
  { pattern: new RegExp(String.raw`yandex\.[a-z]+/maps\S*?[?&](?:pt|whatshere%5Bpoint%5D|whatshere\[point\]|ll)=(${NUM})(?:,|%2C)(${NUM})`, 'i'), order: 'lonlat' },
  // Google Maps: !3dLAT!4dLON (the place itself), then @lat,lon, then q= / query= lat,lon
  { pattern: new RegExp(String.raw`google\.[a-z.]+/maps\S*?!3d(${NUM})!4d(${NUM})`, 'i'), order: 'latlon' },
  { pattern: new RegExp(String.raw`google\.[a-z.]+/maps\S*?@(${NUM}),(${NUM})`, 'i'), order: 'latlon' },
  { pattern: new RegExp(String.raw`google\.[a-z.]+/maps\S*?[?&](?:q|query|ll)=(${NUM})(?:,|%2C)(${NUM})`, 'i'), order: 'latlon' },
  // 2GIS: m=lon,lat/zoom, or …/geo/<id>/lon,lat
  { pattern: new RegExp(String.raw`2gis\.[a-z]+/\S*?[?&]m=(${NUM})(?:,|%2C)(${NUM})`, 'i'), order: 'lonlat' },
  { pattern: new RegExp(String.raw`2gis\.[a-z]+/\S*?/geo/(?:\d+/)?(${NUM}),(${NUM})`, 'i'), order: 'lonlat' },
  // OpenStreetMap: mlat=&mlon=, or #map=zoom/lat/lon
  { pattern: new RegExp(String.raw`openstreetmap\.[a-z]+/\S*?[?&]mlat=(${NUM})&mlon=(${NUM})`, 'i'), order: 'latlon' },
  { pattern: new RegExp(String.raw`openstreetmap\.[a-z]+/\S*?#map=\d{1,2}/(${NUM})/(${NUM})`, 'i'), order: 'latlon' },
];

/** Degrees, minutes, seconds with a hemisphere: 55°45′21″N, 37°37'02"E, 55°45′21″ с.ш. */
const DMS = String.raw`(\d{1,3})\s*°\s*(?:(\d{1,2}(?:[.,]\d+)?)\s*['′’]\s*)?(?:(\d{1,2}(?:[.,]\d+)?)\s*(?:["″”]|'')\s*)?([NSEWСЮВЗ]|с\.?\s*ш\.?|ю\.?\s*ш\.?|в\.?\s*д\.?|з\.?\s*д\.?)`;

function fromDms(deg: string, min: string | undefined, sec: string | undefined, hemisphere: string): { value: number; axis: 'lat' | 'lon' } {
  const value = Number(deg) + Number((min ?? '0').replace(',', '.')) / 60 + Number((sec ?? '0').replace(',', '.')) / 3600;
  const h = hemisphere.toUpperCase().replace(/[.\s]/g, '');
  const negative = h === 'S' || h === 'W' || h.startsWith('Ю') || h.startsWith('З');
  const axis = h === 'N' || h === 'S' || h === 'С' || h === 'Ю' || h.endsWith('Ш') ? 'lat' : 'lon';
  return { value: negative ? -value : value, axis };
}

/** The point a text names, or null when it is an address (or a link that names no point). */
export function pointOf(text: string): Point | null {
  const t = text.trim();
  if (/^https?:\/\/|^(?:www\.)?[a-z0-9-]+\.[a-z]/i.test(t)) {
    for (const { pattern, order } of LINKS) {
      const m = pattern.exec(t);
      if (m) return order === 'latlon' ? valid(Number(m[1]), Number(m[2])) : valid(Number(m[2]), Number(m[1]));
    }
    return null;
  }
  // "55.7558, 37.6173", "55.7558 37.6173", "55.7558;37.6173": latitude first, as maps copy it.
  const plain = new RegExp(String.raw`^(${NUM}\.\d+)\s*[,;\s]\s*(${NUM}\.\d+)$`).exec(t);
  if (plain) return valid(Number(plain[1]), Number(plain[2]));
  const dms = [...t.matchAll(new RegExp(DMS, 'giu'))];
  if (dms.length === 2) {
    const [a, b] = dms.map((m) => fromDms(m[1], m[2], m[3], m[4]));
    if (a.axis !== b.axis) return a.axis === 'lat' ? valid(a.value, b.value) : valid(b.value, a.value);
  }
  return null;
}
