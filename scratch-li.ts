import { openDatabase } from './server/store/database.js';
import { PlacesRepository } from './server/store/places-repository.js';
import { LocalIndex } from './server/geocoding/local-index.js';
import { ensureGazetteer } from './server/geocoding/gazetteer.js';
import { importRecords } from './server/geocoding/import/import-addresses.js';
import { readerFor } from './server/geocoding/import/readers.js';
const path = process.argv[2];
const db = openDatabase(':memory:');
const index = new LocalIndex(new PlacesRepository(db));
ensureGazetteer(index);
const t = performance.now();
const recs: any[] = [];
for await (const r of readerFor(path)!(path)) recs.push(r);
console.log('read', recs.length, (performance.now()-t).toFixed(0), 'ms', 'areas', recs.filter(r=>r.area).map(r=>`${r.area.name}/${r.area.adminLevel}/${r.area.complete}`).join(', '));
const truth = new Map<string,string>();
const hidden = recs.map((r) => { if (r.city && r.street && r.house) { truth.set(`${r.street}|${r.house}`, r.city); return { ...r, city: null }; } return r; });
const res = await importRecords(index, process.env.NOAREA ? hidden.filter((r) => !r.area) : hidden, "x");
console.log(res);
let ok = 0, bad: string[] = [];
for (const row of db.prepare("SELECT street, house, city, region FROM places WHERE kind='house' AND source='x'").all() as any[]) {
  const want = truth.get(`${row.street}|${row.house}`); if (!want) continue;
  if (want === row.city) ok++; else bad.push(`${row.street} ${row.house}: ${want} → ${row.city}`);
}
console.log('agree', ok, 'of', ok + bad.length); console.log(bad.slice(0, 15));
console.log(db.prepare("SELECT city, region, COUNT(*) n FROM places WHERE kind='house' AND source='x' GROUP BY 1,2 ORDER BY n DESC LIMIT 15").all());
