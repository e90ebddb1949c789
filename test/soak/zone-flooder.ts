/**
 * An admin flooding zone uploads, in a process of its own (building megabyte files must not slow
 * the process that times the neighbour's suggestions): two uploaders take turns between the
 * probes' worst files — a 61 KB KMZ whose KML inflates to 60 MB, and 20 comb-shaped zones ×
 * 10,000 vertices (5.5 MB GeoJSON) — as soon as the last upload is answered, waiting what
 * Retry-After says when told to. Prints the answers by status as JSON when `ms` is over.
 * Usage: node --import tsx test/soak/zone-flooder.ts <url> <token> <ms>
 */
import AdmZip from 'adm-zip';
import { comb } from '../delivery/comb-zone.js';

const [url, token, ms] = process.argv.slice(2);

const zip = new AdmZip();
zip.addFile('doc.kml', Buffer.alloc(60 * 1024 * 1024, 0x20));
const kmz = zip.toBuffer();

const combs = JSON.stringify({ type: 'FeatureCollection', features: Array.from({ length: 20 }, (_, i) => ({ type: 'Feature', properties: { name: `Гребень ${i + 1}` }, geometry: { type: 'Polygon', coordinates: [comb(50 + i * 0.02, 53, 2499)] } })) });

const files = [
  { body: kmz, type: 'application/vnd.google-earth.kmz' },
  { body: Buffer.from(combs), type: 'application/geo+json' },
];
const answers: Record<string, number> = {};
const until = Date.now() + Number(ms);
async function uploader(u: number): Promise<void> {
  for (let n = u; Date.now() < until; n++) {
    const file = files[n % files.length];
    const res = await fetch(`${url}/api/console/delivery-zones`, { method: 'PUT', headers: { 'content-type': file.type, 'X-Auth-Token': token }, body: new Uint8Array(file.body) }).catch(() => null);
    const status = res?.status ?? 0;
    answers[status] = (answers[status] ?? 0) + 1;
    await res?.arrayBuffer();
    if (status === 429) await new Promise((r) => setTimeout(r, Math.min(Number(res?.headers.get('retry-after') ?? 1) * 1000, Math.max(0, until - Date.now()))));
  }
}
await Promise.all([uploader(0), uploader(1)]);
process.stdout.write(JSON.stringify({ answers, kmzBytes: kmz.length, combBytes: combs.length }));
