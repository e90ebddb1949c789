/**
 * Readiness (GET /readyz), apart from liveness (/healthz, kept cheap): a server is ready for
 * traffic only when its store takes a write, its address index answers, and the disks it writes
 * to have room. Each check says why it fails, in words an operator can act on.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ready: boolean;
  checks: { store: ReadinessCheck; index: ReadinessCheck; disk: ReadinessCheck };
}

export function readiness(deps: {
  /** A small write taken back at once; throws when the store cannot write. */
  probeWrite(): Promise<void>;
  /** A query on the served index; throws when it cannot answer. */
  probeIndex(): string;
  /** Folders written to: the SQLite file's and the index's. */
  paths: string[];
  minFreeBytes: number;
}): () => Promise<Readiness> {
  return async () => {
    const store = await deps
      .probeWrite()
      .then((): ReadinessCheck => ({ ok: true, detail: 'takes writes' }))
      .catch((error: unknown): ReadinessCheck => ({ ok: false, detail: `cannot write: ${(error as Error).message}` }));
    let index: ReadinessCheck;
    try {
      index = { ok: true, detail: `serving ${deps.probeIndex()}` };
    } catch (error) {
      index = { ok: false, detail: `the address index cannot be read: ${(error as Error).message}` };
    }
    const low = deps.paths.flatMap((path) => {
      try {
        const fs = statfsSync(dirname(path));
        const free = fs.bavail * fs.bsize;
        return free < deps.minFreeBytes ? [`${dirname(path)} has ${mb(free)} free, under the ${mb(deps.minFreeBytes)} READY_MIN_FREE_DISK_MB asks`] : [];
      } catch (error) {
        return [`${dirname(path)}: ${(error as Error).message}`];
      }
    });
    const disk: ReadinessCheck = low.length ? { ok: false, detail: low.join('; ') } : { ok: true, detail: `at least ${mb(deps.minFreeBytes)} free` };
    return { ready: store.ok && index.ok && disk.ok, checks: { store, index, disk } };
  };
}

const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
