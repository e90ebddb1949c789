/**
 * The registry's release list, as the FNS publishes it (GetAllDownloadFileInfo: a JSON array, one
 * object per release with `VersionId` (YYYYMMDD), `TextVersion`, `GarXMLFullURL`, `GarXMLDeltaURL`;
 * ../shared/gar/SOURCES.md). GAR_RELEASES_URL points at it or at a mirror of the same shape.
 */
import { z } from 'zod';
import { DataError } from '../index-build.js';

const release = z.object({
  VersionId: z.union([z.number(), z.string()]).transform((v) => String(v)),
  TextVersion: z.string().nullish(),
  GarXMLFullURL: z.string().nullish(),
  GarXMLDeltaURL: z.string().nullish(),
});

export interface GarRelease {
  version: string;
  text: string | null;
  fullUrl: string | null;
  deltaUrl: string | null;
}

export async function garReleases(url: string): Promise<GarRelease[]> {
  let body: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000), headers: { Accept: 'application/json' } });
    if (!res.ok) throw new DataError(`${url}: the release list answered ${res.status}; check GAR_RELEASES_URL or try later`);
    body = await res.json();
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${url}: no release list (${(error as Error).message}); check GAR_RELEASES_URL`);
  }
  const parsed = z.array(release).safeParse(body);
  if (!parsed.success) throw new DataError(`${url}: not the registry's release list (expected [{VersionId, GarXMLFullURL, GarXMLDeltaURL}, …])`);
  return parsed.data
    .filter((r) => /^\d{8}$/.test(r.VersionId))
    .map((r) => ({ version: r.VersionId, text: r.TextVersion ?? null, fullUrl: r.GarXMLFullURL || null, deltaUrl: r.GarXMLDeltaURL || null }))
    .sort((a, b) => a.version.localeCompare(b.version));
}
