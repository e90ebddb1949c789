/**
 * The console's "Проверка адресов в базе" (/api/console/clean…), for an admin of a connected
 * account only: it reads and writes the account's whole base. Mounted inside consoleRoutes
 * (the token, CORS and the per-account limit on changes come from there).
 */
import type { Request, RequestHandler, Router } from 'express';
import { z } from 'zod';
import { AppError, notConfigured } from '../errors.js';
import { parseInput } from './validation.js';
import type { CleanConsole } from '../cleaning/clean-console.js';
import { reportCsv, undoCsv, type CsvWords } from '../cleaning/clean-report.js';
import { CLEAN_CLASSES } from '../../contract/cleaning.js';
import { DOWNLOAD_PATH, type DownloadKind, type DownloadLinks } from '../cleaning/download-links.js';

export interface CleanRouteDeps {
  clean: CleanConsole | null;
  /** Signed links for the browser's downloads (null without amoCRM credentials). */
  links: DownloadLinks | null;
  caller(req: Request): { accountId: number; isAdmin: boolean };
  adminOnly: RequestHandler;
  mayStore(accountId: number): Promise<boolean>;
}

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-01-31').refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real date');
const startSchema = z
  .object({
    entity: z.enum(['leads', 'contacts', 'companies'], { error: 'must be leads, contacts or companies' }),
    pipelineId: z.number().int().positive().optional(),
    statusId: z.number().int().positive().optional(),
    createdFrom: isoDay.optional(),
    createdTo: isoDay.optional(),
  })
  .strict()
  .refine((b) => b.entity === 'leads' || (b.pipelineId === undefined && b.statusId === undefined), { message: 'a pipeline and stage apply to leads only', path: ['pipelineId'] })
  .refine((b) => b.statusId === undefined || b.pipelineId !== undefined, { message: 'a stage needs its pipeline', path: ['pipelineId'] })
  .refine((b) => !b.createdFrom || !b.createdTo || b.createdFrom <= b.createdTo, { message: 'must not be after createdTo', path: ['createdFrom'] });

const rowsQuery = z
  .object({
    class: z.enum(CLEAN_CLASSES).optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

function jobId(value: unknown): number {
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isSafeInteger(n) || n <= 0) throw new AppError('invalid_parameter', '"id" must be a positive number.', { field: 'id' });
  return n;
}


export function mountCleanRoutes(router: Router, deps: CleanRouteDeps): void {
  const { caller, adminOnly } = deps;
  const clean = () => deps.clean ?? (() => { throw notConfigured('This server has no amoCRM credentials (demo mode): the check reads the account’s base in amoCRM.'); })();
  // The whole base of the account is read and written: an admin of a connected account only.
  const allowed: RequestHandler = async (req, _res, next) => {
    if (!(await deps.mayStore(caller(req).accountId))) throw new AppError('account_not_connected', 'Connect this amoCRM account first (the widget’s settings, "Connect"): the check reads its base through amoCRM’s API.');
    next();
  };
  const guard = [adminOnly, allowed];

  router.get('/api/console/clean', ...guard, async (req, res) => void res.json({ job: await clean().latest(caller(req).accountId) }));
  router.post('/api/console/clean', ...guard, async (req, res) => {
    const body = parseInput(startSchema, req.body);
    const { entity, ...filter } = body;
    res.status(202).json({ job: await clean().start(caller(req).accountId, entity, filter) });
  });
  router.get('/api/console/clean/:id', ...guard, async (req, res) => void res.json({ job: await clean().job(caller(req).accountId, jobId(req.params.id)) }));
  router.get('/api/console/clean/:id/rows', ...guard, async (req, res) => {
    const query = parseInput(rowsQuery, req.query);
    res.json(await clean().rows(caller(req).accountId, jobId(req.params.id), { class: query.class, offset: query.offset, limit: query.limit }));
  });
  router.post('/api/console/clean/:id/apply', ...guard, async (req, res) => {
    const { ids } = parseInput(z.object({ ids: z.array(z.number().int().positive()).min(1, 'must name at least one row').max(100_000).optional() }).strict(), req.body);
    res.status(202).json({ job: await clean().apply(caller(req).accountId, jobId(req.params.id), ids ?? null) });
  });
  router.post('/api/console/clean/:id/undo', ...guard, async (req, res) => void res.status(202).json({ job: await clean().undo(caller(req).accountId, jobId(req.params.id)) }));
  router.post('/api/console/clean/:id/cancel', ...guard, async (req, res) => void res.json({ job: await clean().cancel(caller(req).accountId, jobId(req.params.id)) }));

  // Downloads: the console asks for a signed link (the browser's own request carries no token),
  // then the browser fetches the file. UTF-8 with a byte-order mark and ";" between columns, as
  // Excel opens Cyrillic text in a Russian locale (clean-report.ts).
  router.post('/api/console/clean/:id/download', ...guard, async (req, res) => {
    const { accountId } = caller(req);
    const id = jobId(req.params.id);
    const { kind, lang } = parseInput(z.object({ kind: z.enum(['report', 'undo']), lang: z.enum(['ru', 'en']).default('ru') }).strict(), req.body);
    await clean().job(accountId, id); // a 404 for another account's job
    if (!deps.links) throw notConfigured('This server has no amoCRM credentials (demo mode).');
    res.json({ url: deps.links.link(accountId, id, kind, lang) });
  });
  router.get(`${DOWNLOAD_PATH}/:account/:id/:file`, async (req, res) => {
    const file = /^(report|undo)\.csv$/.exec(String(req.params.file));
    const accountId = Number(req.params.account);
    const id = Number(req.params.id);
    if (!file || !Number.isSafeInteger(accountId) || !Number.isSafeInteger(id) || !deps.links?.verify(accountId, id, file[1] as DownloadKind, req.query.expires, req.query.sig)) {
      throw new AppError('not_found', 'This download link is not valid or has expired (links last a minute): download again from the console.');
    }
    await clean().job(accountId, id);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="address-check-${id}${file[1] === 'undo' ? '-old-values' : ''}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    const lang: CsvWords = req.query.lang === 'en' ? 'en' : 'ru';
    if (file[1] === 'report') await reportCsv(res, clean().allRows(accountId, id), lang);
    else await undoCsv(res, clean().undoRecords(accountId, id), lang);
  });
}
