/**
 * Address data as an operation (docs/address-data.md): `add` a region in one command (its
 * OpenStreetMap extract downloaded and checked, its registry regions read out of the newest full
 * archive by byte ranges, both landing in one build), `update` what is new (each registry region
 * from its own date: the deltas it lacks, in order; an extract older than OSM_MAX_AGE_DAYS
 * downloaded again), `status` for people and /api/status. Each import is a build beside the served
 * index (index-build.ts). Each region's registry date lives in the index itself (gar:version:NN),
 * so it changes only with the data; DATA.json in the index folder keeps what was added, the last
 * update and the one running.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { alive, DataError, IndexBuild } from './index-build.js';
import { catalogueRegion, CATALOGUE, extractUrl, type CatalogueRegion } from './catalogue.js';
import { downloadFile, ensureFreeDisk, publishedMd5 } from './download.js';
import { garReleases, type GarRelease } from './gar/releases.js';
import { importGar, type GarImportResult } from './gar/import-gar.js';
import { importIntoBuild } from './osm/import-into-index.js';
import type { ImportResult } from './osm/import-addresses.js';
import { DEFAULT_WEB, type WebPolicy } from './web-fetch.js';
import { readerFor } from './osm/readers.js';
import { openIndexDatabase } from '../store/index-database.js';
import { currentIndexFile } from '../store/index-files.js';
import { PlacesRepository } from '../store/places-repository.js';
import { RegistryRepository } from '../store/registry-repository.js';

export interface DataSettings {
  indexDir: string;
  osmExtractsUrl: string;
  /** Extracts of the operator's choosing by region id (OSM_EXTRACT_URLS): a mirror that publishes a city alone. */
  extractUrls?: Record<string, string>;
  garReleasesUrl: string;
  osmMaxAgeDays: number;
  /** Deltas apply while each comes within this many days of the region's date; otherwise the region is read again in full. */
  maxDeltaGapDays?: number;
  /** How downloads behave on the real internet (web-fetch.ts). */
  web?: WebPolicy;
}

export interface DataState {
  regions: string[];
  osm: Record<string, { url: string; importedAt: string; houses: number }>;
  /** The newest registry release the index has taken anything from; each region's own date is in the index (gar:version:NN). */
  garRelease: { version: string; text: string | null } | null;
  lastUpdate: { at: string; ok: boolean; summary: string } | null;
  running: { what: string; step: string; startedAt: string; pid: number } | null;
}

export type Progress = (step: string, done?: number, total?: number | null) => void;

const STATE = 'DATA.json';
const EMPTY: DataState = { regions: [], osm: {}, garRelease: null, lastUpdate: null, running: null };
const DEFAULT_GAP_DAYS = 14;

export function readDataState(indexDir: string): DataState {
  const path = join(indexDir, STATE);
  if (!existsSync(path)) return { ...EMPTY };
  try {
    return { ...EMPTY, ...(JSON.parse(readFileSync(path, 'utf8')) as Partial<DataState>) };
  } catch {
    return { ...EMPTY };
  }
}

function writeDataState(indexDir: string, change: (state: DataState) => void): DataState {
  const state = readDataState(indexDir);
  change(state);
  mkdirSync(indexDir, { recursive: true });
  const path = join(indexDir, STATE);
  writeFileSync(`${path}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${path}.tmp`, path);
  return state;
}

export function listRegions(): CatalogueRegion[] {
  return CATALOGUE;
}

/**
 * A region in one build: its extract downloaded first, then the extract and its registry regions
 * imported into one copy of the index, which is served only when both succeeded.
 */
export async function addRegion(settings: DataSettings, id: string, progress: Progress = () => {}): Promise<string> {
  const region = catalogueRegion(id);
  if (!region) throw new DataError(`no region "${id}" in the catalogue; npm run data -- list shows them (moscow, tatarstan, ru-central, ru, …)`);
  const web = settings.web ?? DEFAULT_WEB;
  return running(settings.indexDir, `add ${region.id}`, async (step) => {
    const releases = await garReleases(settings.garReleasesUrl, web);
    const newest = [...releases].reverse().find((r) => r.fullUrl);
    if (!newest) throw new DataError(`${settings.garReleasesUrl}: no release with a full archive (GarXMLFullURL)`);
    const path = extractOf(settings, region);
    const extract = path ? await downloadExtract(settings, path, (s, d, t) => (step(s), progress(s, d, t))) : null;
    try {
      const lines: string[] = [];
      const osmDone = await IndexBuild.run(settings.indexDir, async (build) => {
        const imported = extract ? await importExtract(build, extract, (s) => (step(s), progress(s))) : null;
        if (extract) lines.push(extract.line(imported!));
        step(`registry ${newest.version}: regions ${region.gar.join(', ')}`);
        const result = await importGar(build, newest.fullUrl!, { regions: region.gar, web, onProgress: (p) => progress(`registry region ${p.region} (${p.index} of ${p.of})`, p.bytes, p.regionBytes) });
        lines.push(garLine(`registry ${newest.version} (full)`, result));
        return imported;
      });
      writeDataState(settings.indexDir, (state) => {
        if (!state.regions.includes(region.id)) state.regions.push(region.id);
        if (extract && osmDone) state.osm[extract.path] = { url: extract.url, importedAt: new Date().toISOString(), houses: osmDone.houses };
        if (!state.garRelease || state.garRelease.version < newest.version) state.garRelease = { version: newest.version, text: newest.text };
      });
      return [`${region.name}: added`, ...lines].join('\n');
    } finally {
      if (extract) rmSync(extract.file, { force: true });
    }
  });
}

/**
 * Brings every added region to the newest registry release, each from its own date: the deltas it
 * lacks, in order, one build each (a delta changes only the regions behind it). A region that cannot
 * get there by deltas (a release with no delta, a gap over DATA_MAX_DELTA_GAP_DAYS, a date older than
 * the list) is read again from the newest full archive first. Then extracts older than
 * OSM_MAX_AGE_DAYS are downloaded again.
 */
export async function updateData(settings: DataSettings, progress: Progress = () => {}): Promise<string> {
  const before = readDataState(settings.indexDir);
  if (!before.regions.length) throw new DataError('no region added yet: npm run data -- add <region> (npm run data -- list shows them)');
  const web = settings.web ?? DEFAULT_WEB;
  return running(settings.indexDir, 'update', async (step) => {
    const lines: string[] = [];
    const regions = before.regions.map((id) => catalogueRegion(id)).filter((r): r is CatalogueRegion => !!r);
    const codes = [...new Set(regions.flatMap((r) => r.gar))].sort((a, b) => a - b);
    const releases = await garReleases(settings.garReleasesUrl, web);
    const plan = planRegistry(codes, servedRegistryDates(settings.indexDir), releases, settings.maxDeltaGapDays ?? DEFAULT_GAP_DAYS);
    lines.push(...plan.notes);
    if (plan.full.length) {
      const newest = plan.fullRelease!;
      step(`registry ${newest.version}: regions ${plan.full.join(', ')} read again`);
      const result = await IndexBuild.run(settings.indexDir, (build) =>
        importGar(build, newest.fullUrl!, { regions: plan.full, web, onProgress: (p) => progress(`registry region ${p.region} (${p.index} of ${p.of})`, p.bytes, p.regionBytes) }),
      );
      lines.push(garLine(`registry ${newest.version} (full)`, result));
      noteRelease(settings.indexDir, newest);
    }
    for (const { release, regions: behind } of plan.deltas) {
      step(`registry delta ${release.version}`);
      const file = join(settings.indexDir, 'downloads', `gar_delta_${release.version}.zip`);
      await downloadFile(release.deltaUrl!, file, { web, onProgress: (d, t) => progress(`registry delta ${release.version}: download`, d, t) });
      try {
        const result = await IndexBuild.run(settings.indexDir, (build) =>
          importGar(build, file, { delta: true, regions: behind, deltaMissingRegionsUnchanged: true, release: release.version, maxGapDays: settings.maxDeltaGapDays ?? DEFAULT_GAP_DAYS }),
        );
        lines.push(garLine(`registry delta ${release.version}`, result, behind));
      } finally {
        rmSync(file, { force: true });
      }
      noteRelease(settings.indexDir, release);
    }
    if (!plan.full.length && !plan.deltas.length) lines.push(`registry: every region at ${describeDates(codes, servedRegistryDates(settings.indexDir))}, nothing newer`);
    const extracts = [...new Set(regions.map((r) => extractOf(settings, r)).filter((p): p is string => !!p))];
    for (const path of extracts) {
      const imported = before.osm[path];
      const ageDays = imported ? (Date.now() - Date.parse(imported.importedAt)) / 86_400_000 : Infinity;
      if (ageDays < settings.osmMaxAgeDays) {
        lines.push(`OpenStreetMap ${path}: imported ${Math.floor(ageDays)} days ago, kept (OSM_MAX_AGE_DAYS ${settings.osmMaxAgeDays})`);
        continue;
      }
      lines.push(await refreshExtract(settings, path, (s, d, t) => (step(s), progress(s, d, t))));
    }
    return lines.join('\n');
  }, true);
}

export interface RegistryPlan {
  /** Regions to read again from `fullRelease` before any delta. */
  full: number[];
  fullRelease: GarRelease | null;
  /** Deltas in order, each with the regions it is applied to (those behind it). */
  deltas: Array<{ release: GarRelease; regions: number[] }>;
  /** Why a region is read again, or a release skipped: for the summary. */
  notes: string[];
}

/** What `update` does for each region, from its own date (pure: tested on its own). */
export function planRegistry(codes: number[], dates: Record<number, string>, releases: GarRelease[], maxGapDays: number): RegistryPlan {
  const fullRelease = [...releases].reverse().find((r) => r.fullUrl) ?? null;
  const notes: string[] = [];
  const full: number[] = [];
  const at: Record<number, string> = {};
  for (const code of codes) {
    const date = dates[code];
    const name = `region ${String(code).padStart(2, '0')}`;
    const chain = releases.filter((r) => date && r.version > date);
    const reason = !date
      ? 'not in the index yet'
      : chain.find((r) => !r.deltaUrl)
        ? `release ${chain.find((r) => !r.deltaUrl)!.version} publishes no delta`
        : chain.length && !releases.some((r) => r.version <= date)
          ? `at ${date}, older than every release listed (${releases[0].version})`
          : gapIn(date, chain, maxGapDays);
    if (reason && fullRelease && (!date || fullRelease.version > date)) {
      full.push(code);
      at[code] = fullRelease.version;
      notes.push(`${name}: ${reason}; read again from the full archive of ${fullRelease.version}`);
    } else if (reason && chain.length) {
      throw new DataError(`${name}: ${reason}, and the list has no newer full archive (GarXMLFullURL) to read it from; the served index is unchanged`);
    } else if (date) at[code] = date;
  }
  const deltas: RegistryPlan['deltas'] = [];
  for (const release of releases) {
    if (!release.deltaUrl) continue;
    const behind = codes.filter((code) => at[code] && at[code] < release.version);
    if (behind.length) deltas.push({ release, regions: behind });
  }
  for (const release of releases) {
    if (release.deltaUrl || !codes.some((code) => dates[code] && dates[code] < release.version && !full.includes(code))) continue;
    notes.push(`registry release ${release.version}: publishes no delta, skipped (no region needed it)`);
  }
  return { full, fullRelease: full.length ? fullRelease : null, deltas, notes };
}

/** A gap between the region's date and its next delta, or between two deltas, over the limit; null when none. */
function gapIn(date: string, chain: GarRelease[], maxGapDays: number): string | null {
  let from = date;
  for (const r of chain) {
    const days = (Date.parse(iso(r.version)) - Date.parse(iso(from))) / 86_400_000;
    if (days > maxGapDays) return `a gap of ${Math.round(days)} days between ${from} and the next delta (${r.version}), over DATA_MAX_DELTA_GAP_DAYS ${maxGapDays}`;
    from = r.version;
  }
  return null;
}

const iso = (yyyymmdd: string) => `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;

/** Each registry region's date in the served index. */
function servedRegistryDates(indexDir: string): Record<number, string> {
  const file = currentIndexFile(indexDir);
  if (!file) return {};
  const db = openIndexDatabase(file, { readonly: true });
  try {
    return Object.fromEntries(Object.entries(registryDates(new PlacesRepository(db))).map(([code, date]) => [Number(code), date]));
  } finally {
    db.close();
  }
}

/** Each registry region's date as the index records it ("99" → "20221202"). */
function registryDates(places: PlacesRepository): Record<string, string> {
  const prefix = 'gar:version:';
  return Object.fromEntries(Object.entries(places.metaLike(prefix)).map(([key, date]) => [key.slice(prefix.length), date]));
}

function describeDates(codes: number[], dates: Record<number, string>): string {
  const distinct = [...new Set(codes.map((c) => dates[c] ?? '—'))];
  return distinct.length === 1 ? distinct[0] : codes.map((c) => `${String(c).padStart(2, '0')} ${dates[c] ?? '—'}`).join(', ');
}

function noteRelease(indexDir: string, release: GarRelease): void {
  writeDataState(indexDir, (state) => {
    if (!state.garRelease || state.garRelease.version < release.version) state.garRelease = { version: release.version, text: release.text };
  });
}

/** Counts of a built file: a file never changes once built, so they are read once per file (a count of 45 M houses takes seconds). */
const countsOfFile = new Map<string, { counts: DataCounts; registryVersions: Record<string, string>; byHand: Array<{ extract: string; importedAt: string; houses: number }> }>();
type DataCounts = { settlements: number; streets: number; houses: number; withPostcode: number; withPoint: number };

/** What the index holds, for people (npm run data -- status), /api/status and the console. */
export function dataStatus(indexDir: string, options: { counts?: boolean } = {}) {
  const state = readDataState(indexDir);
  const file = currentIndexFile(indexDir);
  let counts: DataCounts = { settlements: 0, streets: 0, houses: 0, withPostcode: 0, withPoint: 0 };
  let registryVersions: Record<string, string> = {};
  let byHand: Array<{ extract: string; importedAt: string; houses: number }> = [];
  const known = file ? countsOfFile.get(file) : undefined;
  if (known) ({ counts, registryVersions, byHand } = known);
  else if (file && options.counts !== false) {
    const db = openIndexDatabase(file, { readonly: true });
    try {
      const places = new PlacesRepository(db);
      const registry = new RegistryRepository(db).counts();
      // Every house a reader means: OpenStreetMap's (with their points) and the registry's (points only when matched).
      const own = places.houseQuality();
      counts = { ...places.kindCounts(), withPostcode: registry.withPostcode + own.withPostcode, withPoint: registry.withPoint + own.withPoint };
      counts.houses += registry.houses;
      registryVersions = registryDates(places);
      // Files imported by hand (npm run import:addresses) are sources too.
      for (const [key, value] of Object.entries(places.metaLike('osm:'))) {
        const imported = JSON.parse(value) as { importedAt: string; houses: number };
        byHand.push({ extract: key.slice('osm:import:'.length), importedAt: imported.importedAt, houses: imported.houses });
      }
      countsOfFile.clear();
      countsOfFile.set(file, { counts, registryVersions, byHand });
    } finally {
      db.close();
    }
  }
  return {
    file: file ? basename(file) : null,
    regions: state.regions,
    sources: {
      openStreetMap: [...Object.entries(state.osm).map(([path, o]) => ({ extract: path, importedAt: o.importedAt, houses: o.houses })), ...byHand.filter((h) => !h.extract.startsWith('osm:'))], // `import:osm:*` sources are npm run data's own, listed above
      registry: state.garRelease ? { release: state.garRelease.version, text: state.garRelease.text, regions: registryVersions } : Object.keys(registryVersions).length ? { release: null, text: null, regions: registryVersions } : null,
    },
    counts,
    lastUpdate: state.lastUpdate,
    running: state.running && alive(state.running.pid) ? state.running : null,
  };
}

interface Extract {
  path: string;
  url: string;
  file: string;
  line: (result: ImportResult) => string;
}

/** The region's extract as DATA.json names it: its path under OSM_EXTRACTS_URL, or its own full URL. */
function extractOf(settings: DataSettings, region: CatalogueRegion): string | null {
  return settings.extractUrls?.[region.id] ?? region.osm;
}

/** The extract, downloaded and checked (its MD5 when the mirror publishes one). */
async function downloadExtract(settings: DataSettings, path: string, progress: Progress): Promise<Extract> {
  const web = settings.web ?? DEFAULT_WEB;
  const url = extractUrl({ id: '', osm: path }, settings.osmExtractsUrl)!;
  const file = join(settings.indexDir, 'downloads', basename(new URL(url).pathname) || 'extract.osm.pbf');
  progress(`OpenStreetMap ${path}: download`);
  const md5 = await publishedMd5(url, web);
  const { bytes, resumed } = await downloadFile(url, file, { md5, web, onProgress: (d, t) => progress(`OpenStreetMap ${path}: download`, d, t) });
  // The index's new file is built beside the served one: room for a copy of it, plus what the extract adds.
  const served = currentIndexFile(settings.indexDir);
  try {
    ensureFreeDisk(settings.indexDir, (served ? statSize(served) : 0) + bytes * 2, `importing ${path}`);
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  }
  const line = (result: ImportResult) =>
    `OpenStreetMap ${path}: ${(bytes / 1e6).toFixed(1)} MB${resumed ? ' (resumed)' : ''}${md5 ? ', MD5 checked' : ', size checked (no .md5 published)'}; ${result.houses.toLocaleString('en')} houses, ${result.streets.toLocaleString('en')} streets`;
  return { path, url, file, line };
}

/** The same import as npm run import:addresses (refused when it holds no address, twins linked), into a build. */
function importExtract(build: IndexBuild, extract: Extract, progress: (step: string) => void): Promise<ImportResult> {
  progress(`OpenStreetMap ${extract.path}: import`);
  return importIntoBuild(build, readerFor(extract.file)!(extract.file), `import:osm:${extract.path}`, { file: extract.url });
}

/** An extract downloaded again and imported in a build of its own (update). */
async function refreshExtract(settings: DataSettings, path: string, progress: Progress): Promise<string> {
  const extract = await downloadExtract(settings, path, progress);
  try {
    const result = await IndexBuild.run(settings.indexDir, (build) => importExtract(build, extract, progress));
    writeDataState(settings.indexDir, (state) => (state.osm[path] = { url: extract.url, importedAt: new Date().toISOString(), houses: result.houses }));
    return extract.line(result);
  } finally {
    rmSync(extract.file, { force: true });
  }
}

function garLine(what: string, result: GarImportResult, asked?: number[]): string {
  const untouched = (asked ?? []).filter((code) => !result.regions.some((r) => r.code === code));
  const moved = untouched.length ? `; region ${untouched.map((c) => String(c).padStart(2, '0')).join(', ')} unchanged by it` : '';
  return `${what}: ${result.regions.map((r) => `region ${String(r.code).padStart(2, '0')} ${r.houses.toLocaleString('en')} houses${r.closed ? `, ${r.closed} closed` : ''}`).join('; ')}; the index holds ${result.totals.houses.toLocaleString('en')} registry houses (${result.totals.withPostcode.toLocaleString('en')} with a postcode, ${result.totals.withPoint.toLocaleString('en')} with their own point; OpenStreetMap twins ${result.twins.matched.toLocaleString('en')})${moved}`;
}

/** Marks the operation as running in DATA.json (for status), and records how it ended. */
async function running(indexDir: string, what: string, work: (step: (s: string) => void) => Promise<string>, recordAsUpdate = false): Promise<string> {
  const startedAt = new Date().toISOString();
  const step = (s: string) => writeDataState(indexDir, (state) => (state.running = { what, step: s, startedAt, pid: process.pid }));
  step('starting');
  try {
    const summary = await work(step);
    writeDataState(indexDir, (state) => {
      state.running = null;
      if (recordAsUpdate) state.lastUpdate = { at: new Date().toISOString(), ok: true, summary };
    });
    return summary;
  } catch (error) {
    writeDataState(indexDir, (state) => {
      state.running = null;
      if (recordAsUpdate) state.lastUpdate = { at: new Date().toISOString(), ok: false, summary: (error as Error).message };
    });
    throw error;
  }
}

function statSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}


