/**
 * What each catalogue entry costs before it is added (`npm run data -- list`): the size of its
 * OpenStreetMap extract as the mirror gives it (one HEAD or one-byte range per distinct extract),
 * the bytes its registry regions take out of the newest full archive (its table of contents: three
 * requests, remote-zip.ts) and about how long the import runs, from the rates our benchmarks
 * measure (docs/address-data.md).
 */
import { catalogueRegion, CATALOGUE, extractUrl, type CatalogueRegion } from './catalogue.js';
import { garReleases } from './gar/releases.js';
import { ZipArchive } from './gar/zip-archive.js';
import { garContents, RECORD_TAGS } from './gar/gar-archive.js';
import { DEFAULT_WEB, rangeTotal, webRequest, type WebPolicy } from './web-fetch.js';

/** Registry XML read per second by the import (`npm run bench:gar`: 67–78 MB/s at 1–10 M houses). */
export const REGISTRY_XML_PER_SECOND = 67e6;
/** PBF bytes imported per second, read and written (`npm run bench:osm`: 289 MB in 81 s at 50 M nodes, 578 MB in 154 s at 100 M). */
export const OSM_PBF_PER_SECOND = 3.6e6;

export interface RegionCost {
  region: CatalogueRegion;
  extract: { url: string; bytes: number | null } | null;
  /** Bytes downloaded from the full archive (packed) and read (XML), or null when the archive could not be read. */
  registry: { download: number; xml: number; missing: number[] } | null;
  /** About how long `add` imports, once downloaded. */
  importSeconds: number | null;
}

export interface CostSettings {
  osmExtractsUrl: string;
  garReleasesUrl: string;
  extractUrls?: Record<string, string>;
  web?: WebPolicy;
}

export async function catalogueCosts(settings: CostSettings, ids?: string[]): Promise<{ costs: RegionCost[]; notes: string[] }> {
  const web = settings.web ?? DEFAULT_WEB;
  const regions = ids ? ids.map((id) => catalogueRegion(id)).filter((r): r is CatalogueRegion => !!r) : CATALOGUE;
  const notes: string[] = [];
  const urls = new Map(regions.map((r) => [r.id, extractUrl(r, settings.osmExtractsUrl, settings.extractUrls)]));
  const sizes = new Map<string, number | null>();
  const distinct = [...new Set([...urls.values()].filter((u): u is string => !!u))];
  // Four at a time: a mirror is asked a dozen small questions, not flooded.
  for (let i = 0; i < distinct.length; i += 4) {
    await Promise.all(distinct.slice(i, i + 4).map(async (url) => sizes.set(url, await sizeOf(url, web))));
  }
  const unknown = distinct.filter((u) => sizes.get(u) === null);
  if (unknown.length) notes.push(`no size for ${unknown.length} extract(s) (${unknown[0]}${unknown.length > 1 ? ', …' : ''}): the mirror did not answer or gave no length`);

  let registry: Map<number, { download: number; xml: number }> | null = null;
  try {
    const newest = [...(await garReleases(settings.garReleasesUrl, web))].reverse().find((r) => r.fullUrl);
    if (!newest) throw new Error('no release with a full archive');
    const archive = await ZipArchive.open(newest.fullUrl!, { web });
    try {
      registry = new Map();
      for (const [code, region] of garContents(archive).regions) {
        const tables = Object.keys(RECORD_TAGS).map((t) => region.tables[t as keyof typeof RECORD_TAGS]).filter((e) => !!e);
        registry.set(code, { download: tables.reduce((n, e) => n + e.compressedSize, 0), xml: tables.reduce((n, e) => n + e.uncompressedSize, 0) });
      }
    } finally {
      archive.close();
    }
  } catch (error) {
    notes.push(`no registry sizes: ${(error as Error).message}`);
  }

  const costs = regions.map((region): RegionCost => {
    const url = urls.get(region.id) ?? null;
    const bytes = url ? (sizes.get(url) ?? null) : null;
    const found = registry ? region.gar.map((code) => registry!.get(code)).filter((r) => !!r) : [];
    const reg = registry ? { download: found.reduce((n, r) => n + r.download, 0), xml: found.reduce((n, r) => n + r.xml, 0), missing: region.gar.filter((code) => !registry!.has(code)) } : null;
    const importSeconds = (url && bytes === null) || !reg ? null : (bytes ?? 0) / OSM_PBF_PER_SECOND + reg.xml / REGISTRY_XML_PER_SECOND;
    return { region, extract: url ? { url, bytes } : null, registry: reg, importSeconds };
  });
  return { costs, notes };
}

/** A file's size on the mirror: HEAD's Content-Length, else a one-byte range's Content-Range; null when neither. */
async function sizeOf(url: string, web: WebPolicy): Promise<number | null> {
  try {
    const head = await webRequest(url, web, { method: 'HEAD' });
    const length = Number(head.res.headers.get('content-length'));
    if (head.res.ok && length > 0) return length;
    const probe = await webRequest(url, web, { headers: { Range: 'bytes=0-0' } });
    probe.body?.destroy();
    return rangeTotal(probe.res);
  } catch {
    return null;
  }
}

/** One line per entry, for people. */
export function costLines(costs: RegionCost[]): string[] {
  const mb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`);
  return costs.map(({ region, extract, registry, importSeconds }) => {
    const codes = region.gar.length > 3 ? `${region.gar.length} regions` : region.gar.map((c) => String(c).padStart(2, '0')).join(',');
    const osm = extract ? `${extract.url.split('/').pop()} ${extract.bytes === null ? '?' : mb(extract.bytes)}` : '—';
    const gar = registry ? `${mb(registry.download)} (${mb(registry.xml)} XML)${registry.missing.length ? `, not in the archive: ${registry.missing.join(',')}` : ''}` : '?';
    const time = importSeconds === null ? '?' : importSeconds < 90 ? `${Math.max(1, Math.round(importSeconds))} s` : importSeconds < 5400 ? `${Math.round(importSeconds / 60)} min` : `${(importSeconds / 3600).toFixed(1)} h`;
    return `${region.id.padEnd(20)} ${region.name.slice(0, 40).padEnd(40)} ${codes.padEnd(11)} OpenStreetMap ${osm}; registry ${gar}; import ≈ ${time}`;
  });
}
