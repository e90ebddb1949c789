/**
 * DaData's address API on our server, for sites and clients written for DaData
 * (dadata.ru/api/suggest/address; its jQuery plugin's calls, suggestions-jquery): the same paths,
 * methods, bodies and answers. The key is one of our site keys, sent as DaData's is:
 * `Authorization: Token <key>`. Errors are DaData's shape: `{ family, reason, message }`.
 * What differs from DaData is in docs/dadata-api.md.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import cors from 'cors';
import { z } from 'zod';
import type { AddressService } from '../geocoding/address-service.js';
import type { SiteKeysRepository, SiteKey } from '../store/site-keys-repository.js';
import type { HitCountersRepository } from '../store/hit-counters-repository.js';
import { perKeyLimit } from './account-limits.js';
import { DADATA_ADDRESS_KEYS, type DadataAddressData, type DadataError, type DadataSuggestion } from '../../contract/dadata.js';
import type { Suggestion } from '../../contract/api.js';

export const DADATA_PREFIX = '/suggestions/api/4_1/rs';

/** DaData's granularity, coarse to fine, and the fias_level each stands for. */
const BOUNDS = ['country', 'region', 'area', 'city', 'settlement', 'street', 'house', 'flat'] as const;
type Bound = (typeof BOUNDS)[number];
const LEVEL_OF: Record<string, Bound> = { '0': 'country', '1': 'region', '3': 'area', '4': 'city', '5': 'city', '6': 'settlement', '65': 'street', '7': 'street', '75': 'house', '8': 'house', '9': 'flat', '-1': 'house' };

const location = z.record(z.string(), z.union([z.string().max(200), z.number()]));
const bound = z.object({ value: z.enum(BOUNDS, { error: `must be one of ${BOUNDS.join(', ')}` }) }).optional();
const suggestBody = z.object({
  query: z.string({ error: 'is required' }).max(300, 'must be at most 300 characters'),
  count: z.number().int().min(1).max(20).default(10),
  language: z.enum(['ru', 'en']).default('ru'),
  locations: z.array(location).max(100).optional(),
  locations_geo: z.unknown().optional(),
  locations_boost: z.array(location).max(100).optional(),
  from_bound: bound,
  to_bound: bound,
  restrict_value: z.boolean().optional(),
  division: z.enum(['administrative', 'municipal']).optional(),
});

/** The embedded index's lookups by id and by point (geocoding/local-index.ts). */
export interface AddressLookups {
  findById(id: string, count: number): Suggestion[];
  nearest(lat: number, lon: number, radiusMeters: number, count: number): Suggestion[];
}

const findBody = z.object({ query: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(100), count: z.number().int().min(1).max(20).default(10) });
const geolocateBody = z.object({
  lat: z.number({ error: 'must be a number' }).min(-90).max(90),
  lon: z.number({ error: 'must be a number' }).min(-180).max(180),
  count: z.number().int().min(1).max(20).default(10),
  radius_meters: z.number().min(1).max(1000).default(100),
  language: z.enum(['ru', 'en']).default('ru'),
});

export interface DadataRouteDeps {
  service: AddressService;
  lookups: AddressLookups;
  siteKeys: SiteKeysRepository;
  limitPerMinute: number;
  now: () => number;
  hitCounters: HitCountersRepository | null;
}

class DadataHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    dadataKey?: SiteKey;
  }
}

export function dadataRoutes(deps: DadataRouteDeps): Router {
  const router = Router();
  // As DaData answers: any origin, no credentials (suggestions-jquery sets withCredentials false
  // and sends its token, X-Version and X-Partner as headers). A key may still name its origins.
  router.use(DADATA_PREFIX, cors({ origin: '*', allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Version', 'X-Partner', 'X-Secret'], exposedHeaders: ['X-Plan'], methods: ['GET', 'POST'], maxAge: 600 }));

  // DaData's plugin posts JSON; some clients send it as text/plain (a simple request, no preflight).
  router.use(DADATA_PREFIX, express.json({ limit: '32kb', type: () => true }));

  const keyAuth: RequestHandler = async (req, _res, next) => {
    const token = /^Token\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!token) throw new DadataHttpError(401, 'Unauthorized', 'Send the site key as DaData\'s API key: the header "Authorization: Token <key>" (an admin creates it in the widget\'s console or with npm run site-key).');
    const key = await deps.siteKeys.verify(token, deps.now());
    if (!key) throw new DadataHttpError(403, 'Forbidden', 'This key is unknown or revoked: ask the account\'s admin for a site key.');
    const origin = req.get('origin');
    if (origin && key.origins.length && !key.origins.includes(origin)) throw new DadataHttpError(403, 'Forbidden', `This key may not be used from ${origin}: the admin allowed ${key.origins.join(', ')}.`);
    req.dadataKey = key;
    next();
  };
  const limiter = perKeyLimit(deps, {
    name: 'dadata',
    perMinute: deps.limitPerMinute,
    key: (req) => `dadata-key:${req.dadataKey!.id}`,
    refuse: (_req, res) => void res.status(429).setHeader('Retry-After', '60').json(dadataError(429, 'Too Many Requests', 'Too many requests with this key; wait a minute.')),
  });

  // suggestions-jquery asks this first and shows nothing unless `search` is true.
  router.get(`${DADATA_PREFIX}/status/address`, keyAuth, (_req, res) => {
    res.setHeader('X-Plan', 'SELF_HOSTED');
    res.json({ search: true, enrich: true, state: 'ENABLED', resources: [], count: 0 });
  });

  router.post(`${DADATA_PREFIX}/suggest/address`, keyAuth, limiter, async (req, res) => {
    const body = parse(suggestBody, req.body);
    if (!body.query.trim()) return void res.json({ suggestions: [] });
    const locations = body.locations ?? [];
    const city = locations.length === 1 ? (stringOf(locations[0].city) ?? stringOf(locations[0].settlement)) : undefined;
    const region = locations.length === 1 && !city ? stringOf(locations[0].region) : undefined;
    // No account's own address book: a website's visitors never see the addresses of the account's customers.
    const answer = await deps.service.suggest(null, body.query, { count: 20, language: body.language, city, region });
    const from = body.from_bound?.value ?? 'country';
    const to = body.to_bound?.value ?? 'flat';
    // locations_boost: what lies in the given places first, the order kept within each part (DaData ranks them first).
    const boost = body.locations_boost ?? [];
    const boosted = (s: Suggestion) => (boost.some((l) => matches(s, l)) ? 0 : 1);
    const suggestions = answer.suggestions
      .filter((s) => inBounds(s, from, to) && (!locations.length || locations.some((l) => matches(s, l))))
      .map((s, order) => ({ s, order }))
      .sort((a, b) => boosted(a.s) - boosted(b.s) || a.order - b.order)
      .map(({ s }) => s)
      .slice(0, body.count)
      .map((s) => toDadata(s, body.restrict_value ? locations : [], from));
    res.json({ suggestions });
  });

  // By FIAS id (a house's or an object's) or KLADR code, as DaData's findById/address.
  router.post(`${DADATA_PREFIX}/findById/address`, keyAuth, limiter, (req, res) => {
    const body = parse(findBody, req.body);
    res.json({ suggestions: deps.lookups.findById(body.query, body.count).map((s) => toDadata(s, [], 'country')) });
  });

  // The houses nearest to a point, as DaData's geolocate/address (radius_meters up to 1000, 100 by default).
  router.post(`${DADATA_PREFIX}/geolocate/address`, keyAuth, limiter, (req, res) => {
    const body = parse(geolocateBody, req.body);
    res.json({ suggestions: deps.lookups.nearest(body.lat, body.lon, body.radius_meters, body.count).map((s) => toDadata(s, [], 'country')) });
  });

  // No IP data here: DaData's plugin then simply does not bias by the visitor's city.
  router.get(`${DADATA_PREFIX}/iplocate/address`, keyAuth, (_req, res) => void res.json({ location: null }));

  router.use(DADATA_PREFIX, (_req, _res, next) => next(new DadataHttpError(404, 'Not Found', 'This server answers DaData\'s address methods only: suggest, findById, geolocate, iplocate and status, for address.')));
  const errors: ErrorRequestHandler = (error, _req, res, _next) => {
    if (error instanceof DadataHttpError) return void res.status(error.status).json(dadataError(error.status, error.reason, error.message));
    const status = (error as { status?: number }).status;
    if (status === 400 || status === 413) return void res.status(status).json(dadataError(status, status === 413 ? 'Payload Too Large' : 'Bad Request', status === 413 ? 'The body is too large.' : 'The body is not valid JSON.'));
    res.status(500).json(dadataError(500, 'Internal Server Error', 'Something went wrong on the server; try again.'));
  };
  router.use(DADATA_PREFIX, errors);
  return router;
}

function dadataError(status: number, reason: string, message: string): DadataError {
  return { family: status >= 500 ? 'SERVER_ERROR' : 'CLIENT_ERROR', reason, message };
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new DadataHttpError(400, 'Bad Request', `"${issue.path.join('.') || 'body'}" ${issue.message}`);
}

const stringOf = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function inBounds(s: Suggestion, from: Bound, to: Bound): boolean {
  const level = BOUNDS.indexOf(LEVEL_OF[s.data.fias_level ?? '8'] ?? 'house');
  return level >= BOUNDS.indexOf(from) && level <= BOUNDS.indexOf(to);
}

/** DaData's `locations`: every key given must agree (names case-insensitively, KLADR codes by their beginning, "*" any). */
function matches(s: Suggestion, location: Record<string, string | number>): boolean {
  const data = s.data as unknown as Record<string, unknown>;
  return Object.entries(location).every(([key, wanted]) => {
    const want = String(wanted).trim().toLowerCase();
    if (want === '*') return true;
    if (key === 'kladr_id') return [data.kladr_id, data.house_kladr_id, data.street_kladr_id, data.city_kladr_id, data.settlement_kladr_id, data.region_kladr_id].some((k) => typeof k === 'string' && k.startsWith(want.replace(/0+$/, '')));
    const have = data[key];
    if (have === undefined) return true; // a key DaData reads that we do not hold narrows nothing
    if (typeof have !== 'string') return false;
    const h = have.toLowerCase();
    return h === want || data[`${key}_with_type`] === String(wanted) || h.replace(/ё/g, 'е') === want.replace(/ё/g, 'е');
  });
}

/** Our answer as DaData's: exactly DaData's keys; with restrict_value, the value without the constrained parts. */
function toDadata(s: Suggestion, restrictTo: Array<Record<string, string | number>>, from: Bound): DadataSuggestion {
  const data = Object.fromEntries(DADATA_ADDRESS_KEYS.map((k) => [k, (s.data as unknown as Record<string, unknown>)[k] ?? null])) as unknown as DadataAddressData;
  let value = s.value;
  if (restrictTo.length || from !== 'country') {
    // DaData: "restrict_value — не показывать в подсказке те части адреса, которые указаны в locations"; a from_bound starts the value at that part.
    const drop = new Set<string>();
    for (const l of restrictTo) for (const key of Object.keys(l)) if (key in data) drop.add(key);
    const cut = BOUNDS.slice(1, BOUNDS.indexOf(from));
    for (const key of cut) drop.add(key);
    const parts = value.split(', ');
    const named = ['region', 'area', 'city', 'settlement', 'street'].filter((k) => drop.has(k)).map((k) => (data as unknown as Record<string, string | null>)[`${k}_with_type`]).filter((v): v is string => !!v);
    const kept = parts.filter((p) => !named.includes(p));
    if (kept.length) value = kept.join(', ');
  }
  return { value, unrestricted_value: s.unrestricted_value, data };
}

