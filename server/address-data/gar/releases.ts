/**
 * The registry's release list, as the FNS publishes it (GetAllDownloadFileInfo: a JSON array, one
 * object per release with `VersionId` (YYYYMMDD), `TextVersion`, `GarXMLFullURL`, `GarXMLDeltaURL`;
 * ../shared/gar/SOURCES.md). GAR_RELEASES_URL points at it or at a mirror of the same shape.
 *
 * The list is not trusted: it is read up to LIST_LIMIT bytes (the real one, ~1,000 releases, is well
 * under 1 MB), and an archive address in it must be an http(s) one (a local path would be read
 * from the server's own disk).
 */
import { z } from 'zod';
import { DataError } from '../index-build.js';
import { DEFAULT_WEB, readCapped, webRequest, webUrl, type WebPolicy } from '../web-fetch.js';

const LIST_LIMIT = 16 * 1024 * 1024;

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

export async function garReleases(url: string, web: WebPolicy = DEFAULT_WEB): Promise<GarRelease[]> {
  let body: unknown;
  try {
    const answer = await webRequest(url, web, { headers: { Accept: 'application/json' } });
    if (!answer.res.ok) {
      answer.body?.destroy();
      throw new DataError(`${url}: the release list answered ${answer.res.status}; check GAR_RELEASES_URL or try later`);
    }
    body = JSON.parse(await readCapped(answer, LIST_LIMIT, 'the release list'));
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${url}: no release list (${(error as Error).message}); check GAR_RELEASES_URL`);
  }
  const parsed = z.array(release).safeParse(body);
  if (!parsed.success) throw new DataError(`${url}: not the registry's release list (expected [{VersionId, GarXMLFullURL, GarXMLDeltaURL}, …])`);
  const archive = (address: string | null | undefined, version: string) => (address?.trim() ? webUrl(address.trim(), `${url}: release ${version}`).href : null);
  return parsed.data
    .filter((r) => /^\d{8}$/.test(r.VersionId))
    .map((r) => ({ version: r.VersionId, text: r.TextVersion ?? null, fullUrl: archive(r.GarXMLFullURL, r.VersionId), deltaUrl: archive(r.GarXMLDeltaURL, r.VersionId) }))
    .sort((a, b) => a.version.localeCompare(b.version));
}
