/**
 * Address data as an operation (docs/address-data.md): `add` a region in one command (its
 * OpenStreetMap extract downloaded and checked, its registry regions read out of the newest full
 * archive by byte ranges), `update` what is new (registry deltas since the index's release, in
 * order; an extract older than OSM_MAX_AGE_DAYS downloaded again), `status` for people and
 * /api/status. Each import is a build beside the served index (index-build.ts); DATA.json in the
 * index folder keeps what was added, the last update and the one running.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { alive, DataError, IndexBuild } from './index-build.js';
import { catalogueRegion, CATALOGUE, type CatalogueRegion } from './catalogue.js';
import { downloadFile, ensureFreeDisk, publishedMd5 } from './download.js';
import { garReleases } from './gar/releases.js';
import { importGar, type GarImportResult } from './gar/import-gar.js';
import { importIntoIndex } from './osm/import-into-index.js';
import { readerFor } from './osm/readers.js';
import { openIndexDatabase } from '../store/index-database.js';
import { currentIndexFile } from '../store/index-files.js';
import { PlacesRepository } from '../store/places-repository.js';
import { RegistryRepository } from '../store/registry-repository.js';

export interface DataSettings {
  indexDir: string;
  osmExtractsUrl: string;
  garReleasesUrl: string;
  osmMaxAgeDays: number;
  /** A download that sends nothing this long is taken as cut (and resumed). */
  stallMs?: number;
}

export interface DataState {
  regions: string[];
  osm: Record<string, { url: string; importedAt: string; houses: number }>;
  garRelease: { version: string; text: string | null } | null;
  lastUpdate: { at: string; ok: boolean; summary: string } | null;
  running: { what: string; step: string; startedAt: string; pid: number } | null;
}

export type Progress = (step: string, done?: number, total?: number | null) => void;

const STATE = 'DATA.json';
const EMPTY: DataState = { regions: [], osm: {}, garRelease: null, lastUpdate: null, running: null };

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

export async function addRegion(settings: DataSettings, id: string, progress: Progress = () => {}): Promise<string> {
  const region = catalogueRegion(id);
  if (!region) throw new DataError(`no region "${id}" in the catalogue; npm run data -- list shows them (moscow, tatarstan, ru-central, ru, …)`);
  return running(settings.indexDir, `add ${region.id}`, async (step) => {
    const lines: string[] = [];
    if (region.osm) lines.push(await refreshExtract(settings, region.osm, (s, d, t) => (step(s), progress(s, d, t))));
    const releases = await garReleases(settings.garReleasesUrl);
    const newest = [...releases].reverse().find((r) => r.fullUrl);
    if (!newest) throw new DataError(`${settings.garReleasesUrl}: no release with a full archive (GarXMLFullURL)`);
    step(`registry ${newest.version}: regions ${region.gar.join(', ')}`);
    const result = await IndexBuild.run(settings.indexDir, (build) =>
      importGar(build, newest.fullUrl!, { regions: region.gar, onProgress: (p) => progress(`registry region ${p.region} (${p.index} of ${p.of})`, p.bytes, p.regionBytes) }),
    );
    lines.push(garLine(`registry ${newest.version} (full)`, result));
    writeDataState(settings.indexDir, (state) => {
      if (!state.regions.includes(region.id)) state.regions.push(region.id);
      state.garRelease = { version: newest.version, text: newest.text };
    });
    return [`${region.name}: added`, ...lines].join('\n');
  });
}

export async function updateData(settings: DataSettings, progress: Progress = () => {}): Promise<string> {
  const before = readDataState(settings.indexDir);
  if (!before.regions.length) throw new DataError('no region added yet: npm run data -- add <region> (npm run data -- list shows them)');
  return running(settings.indexDir, 'update', async (step) => {
    const lines: string[] = [];
    const regions = before.regions.map((id) => catalogueRegion(id)).filter((r): r is CatalogueRegion => !!r);
    const releases = await garReleases(settings.garReleasesUrl);
    const from = before.garRelease?.version ?? null;
    const pending = releases.filter((r) => from !== null && r.version > from);
    if (from && pending.length && !releases.some((r) => r.version === from) && releases[0].version > from) {
      throw new DataError(`the index is at registry release ${from}, older than every release the list has (${releases[0].version}): re-import the full archive (npm run data -- add <region>)`);
    }
    const garRegions = [...new Set(regions.flatMap((r) => r.gar))];
    for (const release of pending) {
      if (!release.deltaUrl) throw new DataError(`registry release ${release.version} has no delta (GarXMLDeltaURL): re-import the full archive (npm run data -- add <region>)`);
      step(`registry delta ${release.version}`);
      const file = join(settings.indexDir, 'downloads', `gar_delta_${release.version}.zip`);
      await downloadFile(release.deltaUrl, file, { stallMs: settings.stallMs, onProgress: (d, t) => progress(`registry delta ${release.version}: download`, d, t) });
      try {
        const result = await IndexBuild.run(settings.indexDir, (build) => importGar(build, file, { delta: true, regions: garRegions, deltaMissingRegionsUnchanged: true, maxGapDays: Infinity }));
        lines.push(garLine(`registry delta ${release.version}`, result));
      } finally {
        rmSync(file, { force: true });
      }
      writeDataState(settings.indexDir, (state) => (state.garRelease = { version: release.version, text: release.text }));
    }
    if (!pending.length) lines.push(`registry: at ${from ?? 'no release'}, nothing newer`);
    const extracts = [...new Set(regions.map((r) => r.osm).filter((p): p is string => !!p))];
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
      registryVersions = Object.fromEntries(Object.entries(places.metaLike('gar:version:')).map(([k, v]) => [k.slice('gar:version:'.length), v]));
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

async function refreshExtract(settings: DataSettings, path: string, progress: Progress): Promise<string> {
  const url = `${settings.osmExtractsUrl.replace(/\/+$/, '')}/${path}`;
  const file = join(settings.indexDir, 'downloads', basename(path));
  progress(`OpenStreetMap ${path}: download`);
  const md5 = await publishedMd5(url);
  const { bytes, resumed } = await downloadFile(url, file, { md5, stallMs: settings.stallMs, onProgress: (d, t) => progress(`OpenStreetMap ${path}: download`, d, t) });
  try {
    // The index's new file is built beside the served one: room for a copy of it, plus what the extract adds.
    const served = currentIndexFile(settings.indexDir);
    ensureFreeDisk(settings.indexDir, (served ? statSize(served) : 0) + bytes * 2, `importing ${path}`);
    progress(`OpenStreetMap ${path}: import`);
    const source = `import:osm:${path}`;
    // The same import as npm run import:addresses: refused when it holds no address, twins linked.
    const result = await importIntoIndex(settings.indexDir, readerFor(file)!(file), source, { file: url });
    writeDataState(settings.indexDir, (state) => (state.osm[path] = { url, importedAt: new Date().toISOString(), houses: result.houses }));
    return `OpenStreetMap ${path}: ${(bytes / 1e6).toFixed(1)} MB${resumed ? ' (resumed)' : ''}${md5 ? ', MD5 checked' : ', size checked (no .md5 published)'}; ${result.houses.toLocaleString('en')} houses, ${result.streets.toLocaleString('en')} streets`;
  } finally {
    rmSync(file, { force: true });
  }
}

function garLine(what: string, result: GarImportResult): string {
  return `${what}: ${result.regions.map((r) => `region ${String(r.code).padStart(2, '0')} ${r.houses.toLocaleString('en')} houses${r.closed ? `, ${r.closed} closed` : ''}`).join('; ')}; the index holds ${result.totals.houses.toLocaleString('en')} registry houses (${result.totals.withPostcode.toLocaleString('en')} with a postcode, ${result.totals.withPoint.toLocaleString('en')} with their own point; OpenStreetMap twins ${result.twins.matched.toLocaleString('en')})`;
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


