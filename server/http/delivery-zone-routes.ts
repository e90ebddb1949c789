/**
 * The console's delivery zones (/api/console/delivery-zones): the file as the request body
 * (PUT; GeoJSON, KML or KMZ), the list with outlines for the preview (GET), names, prices and
 * order as edited (PATCH), the warehouses (PUT …/warehouses) and "check an address" (GET
 * …/check?lon=&lat= or ?q=). Mounted inside the console's router: its token check and its
 * per-account limit on changes apply.
 */
import { perAccountLimit, type AccountLimitDeps } from './account-limits.js';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { DeliveryZones, ZoneLookup } from '../delivery/delivery-zones.js';
import { pointOf, type ZoneSetListing } from '../delivery/delivery-zones.js';
import { answerOf } from '../delivery/zone-answer.js';
import { ZONE_LIMITS } from '../delivery/zone-file.js';
import type { AddressService } from '../geocoding/address-service.js';
import { AppError } from '../errors.js';
import { parseInput } from './validation.js';
import type { DeliveryZoneCheck, DeliveryZonesView } from '../../contract/api.js';

export const ZONES_PATH = '/api/console/delivery-zones';

export interface DeliveryZoneRouteDeps {
  zones: DeliveryZones;
  addresses: AddressService;
  caller(req: Request): { accountId: number; isAdmin: boolean };
  adminOnly: RequestHandler;
  /** The base map's tiles for the console (MAP_TILES_URL), or null: zones on a plain background. */
  map: DeliveryZonesView['map'];
  /** Whether the account may keep zones here: connected to amoCRM (or the demo). */
  mayStore(accountId: number): Promise<boolean>;
  /** Zone names a mapped select field of leads has no option for ([] when none is mapped). */
  optionGaps(accountId: number, names: string[]): Promise<string[]>;
  /** Zone files one account may upload a minute (ZONE_UPLOADS_PER_MINUTE), and where the counts live. */
  uploads: AccountLimitDeps & { perMinute: number };
}

const FILE_TYPES = ['application/geo+json', 'application/json', 'application/vnd.google-earth.kml+xml', 'application/vnd.google-earth.kmz', 'application/xml', 'text/xml', 'application/zip', 'application/octet-stream', 'text/plain'];

const money = z.number({ error: 'must be a number or null' }).min(0, 'must not be negative').max(10_000_000).nullable();
const editSchema = z
  .object({
    zones: z
      .array(
        z
          .object({
            id: z.number().int().positive(),
            name: z.string().trim().min(1, 'must not be empty').max(100),
            price: money,
            min_order: money.default(null),
            free_from: money,
            time: z.string().trim().max(60).nullable(),
            color: z.string().regex(/^#[0-9a-f]{6}$/iu, 'must be a colour like #1e98ff').transform((c) => c.toLowerCase()),
            no_delivery: z.boolean(),
          })
          .strict(),
      )
      .max(ZONE_LIMITS.zones),
  })
  .strict();
const warehousesSchema = z
  .object({
    warehouses: z.array(
      z
        .object({
          address: z.string().trim().min(3, 'must be an address').max(300),
          lon: z.number().min(-180).max(180).optional(),
          lat: z.number().min(-90).max(90).optional(),
        })
        .strict(),
    ),
  })
  .strict();
const km = z.number({ error: 'must be a number of kilometres' }).positive('must be more than 0').max(1000);
const pricingSchema = z
  .object({
    pricing: z
      .object({
        mode: z.enum(['beyond_zones', 'instead_of_zones'], { error: 'must be beyond_zones or instead_of_zones' }),
        bands: z
          .array(z.object({ up_to_km: km, price: money.unwrap() }).strict())
          .max(20, 'at most 20 bands')
          .refine((bands) => new Set(bands.map((b) => b.up_to_km)).size === bands.length, 'two bands end at the same distance'),
        per_km_beyond: money,
        min_order: money,
        free_from: money,
      })
      .strict()
      .refine((p) => p.bands.length > 0 || p.per_km_beyond !== null, 'give at least one band or a price per kilometre')
      .nullable(),
  })
  .strict();
/** A decimal number as text ("50.1", "-0.5"): never hex, exponent or an empty string read as 0. */
const decimal = (min: number, max: number) =>
  z
    .string({ error: 'must be a decimal number' })
    .trim()
    .regex(/^-?\d{1,3}(?:\.\d{1,15})?$/u, 'must be a decimal number like 55.7558')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const checkSchema = z.union([
  z
    .object({ lon: decimal(-180, 180), lat: decimal(-90, 90) })
    .strict()
    .refine((p) => p.lon !== 0 || p.lat !== 0, { message: '0, 0 is the "null island" in the Atlantic: a point a geocoder gives when it knows nothing; give the address’s own point', path: ['lon'] }),
  z.object({ q: z.string().trim().min(3, 'must be an address of at least 3 characters').max(300) }).strict(),
], { error: 'give lon and lat, or q (an address)' });

export function mountDeliveryZoneRoutes(router: Router, deps: DeliveryZoneRouteDeps): void {
  const { zones, caller, adminOnly } = deps;
  // Sets come listed (names, prices, thinned outlines), made in a worker thread: never parsed here.
  const view = async (accountId: number, set: ZoneSetListing | null, extra: Partial<DeliveryZonesView> = {}): Promise<DeliveryZonesView> => {
    return {
      zones: (set?.zones ?? []).map((z) => ({ ...answerOf(z), note: z.note, vertices: z.vertices, outline: z.outline })),
      warehouses: set?.warehouses ?? [],
      source: set?.source ? { format: set.source.format, uploadedAt: new Date(set.source.uploadedAt).toISOString(), bytes: set.source.bytes } : null,
      version: set?.version ?? 0,
      pricing: set?.pricing ?? null,
      map: deps.map,
      ...extra,
      unmatchedOptions: await deps.optionGaps(accountId, (set?.zones ?? []).map((z) => z.name)),
    };
  };

  // Zones are kept only for an account that is connected: a token of one never connected stores nothing.
  const connected = async (accountId: number) => {
    if (!(await deps.mayStore(accountId))) throw new AppError('account_not_connected', 'Connect this amoCRM account first (the widget’s settings, "Connect"): zones are kept only for a connected account. Nothing was stored.');
  };

  router.get(ZONES_PATH, async (req, res) => {
    const { accountId } = caller(req);
    res.json(await view(accountId, await zones.listing(accountId)));
  });

  // The body is read only after the admin check, and only up to the file limit.
  // The connection is checked before the body is read, too.
  const connectedOnly: RequestHandler = async (req, _res, next) => {
    await connected(caller(req).accountId);
    next();
  };
  // Reading a file is seconds of a worker's CPU and storing it a write of megabytes: an admin
  // uploads a few an hour, a script in one account's page must not upload hundreds. Refused
  // before the body is read (the connection is closed on it).
  const uploadLimit = perAccountLimit(deps.uploads, { name: 'zone-uploads', perMinute: deps.uploads.perMinute, account: (req) => caller(req).accountId, closeOnRefusal: true, message: `An account may upload ${deps.uploads.perMinute} zone files a minute; wait, then upload again. The zones in use are unchanged.` });
  router.put(ZONES_PATH, adminOnly, connectedOnly, uploadLimit, express.raw({ type: () => true, limit: ZONE_LIMITS.fileBytes }), async (req, res) => {
    const { accountId } = caller(req);
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!Buffer.isBuffer(req.body) || !req.body.length || !FILE_TYPES.includes(type)) {
      throw new AppError('invalid_zone_file', 'Send the zone file itself as the request body, with Content-Type application/geo+json, application/vnd.google-earth.kml+xml or application/vnd.google-earth.kmz; the zones in use were not changed.', { reason: 'not_a_zone_file' });
    }
    const allowSelfCrossing = req.query.allow_self_crossing === 'true';
    const { set, warnings, skipped } = await zones.replace(accountId, req.body, { allowSelfCrossing, handOver: true }); // the request's body is read no more
    if (skipped) warnings.push({ code: 'skipped', count: skipped, text: `${skipped} point(s) or line(s) in the file are not areas and were left out.` });
    res.json(await view(accountId, set, { warnings }));
  });

  router.patch(ZONES_PATH, adminOnly, async (req, res) => {
    const { accountId } = caller(req);
    await connected(accountId);
    const { zones: edits } = parseInput(editSchema, req.body);
    await zones.edit(accountId, edits);
    res.json(await view(accountId, await zones.listing(accountId)));
  });

  router.delete(ZONES_PATH, adminOnly, async (req, res) => {
    const { accountId } = caller(req);
    await zones.clear(accountId);
    res.json(await view(accountId, await zones.listing(accountId)));
  });

  router.put(`${ZONES_PATH}/warehouses`, adminOnly, async (req, res) => {
    const { accountId } = caller(req);
    await connected(accountId);
    const { warehouses } = parseInput(warehousesSchema, req.body);
    const found = [];
    for (const [i, w] of warehouses.entries()) {
      if (w.lon !== undefined && w.lat !== undefined) {
        found.push({ address: w.address, lon: w.lon, lat: w.lat });
        continue;
      }
      // Found with our own geocoder, as a manager's address is.
      const hit = await deps.addresses.resolve(accountId, w.address, { language: 'ru' });
      const lon = hit?.data.lon;
      const lat = hit?.data.lat;
      if (!hit || typeof lon !== 'number' || typeof lat !== 'number') {
        throw new AppError('address_not_found', `Warehouse ${i + 1}: no address with a point matches “${w.address}”; pick it from the suggestions. Nothing was changed.`, { field: `warehouses.${i}.address` });
      }
      found.push({ address: hit.value, lon, lat });
    }
    await zones.setWarehouses(accountId, found);
    res.json(await view(accountId, await zones.listing(accountId)));
  });

  // The price by distance from the nearest warehouse; `{"pricing": null}` removes it.
  router.put(`${ZONES_PATH}/pricing`, adminOnly, async (req, res) => {
    const { accountId } = caller(req);
    await connected(accountId);
    const { pricing } = parseInput(pricingSchema, req.body);
    await zones.setPricing(accountId, pricing);
    res.json(await view(accountId, await zones.listing(accountId)));
  });

  router.get(`${ZONES_PATH}/check`, async (req, res) => {
    const { accountId } = caller(req);
    const input = parseInput(checkSchema, req.query);
    const index = await zones.index(accountId);
    let answer: ZoneLookup;
    let address: DeliveryZoneCheck['address'];
    if ('q' in input) {
      const hit = await deps.addresses.resolve(accountId, input.q, { language: 'ru' });
      const point = hit ? pointOf(hit.data) : null;
      if (!hit || !point) throw new AppError('address_not_found', `No address with a point matches “${input.q}”.`);
      address = { value: hit.value, lon: point.lon, lat: point.lat, verdict: hit.data.verdict, qc_geo: hit.data.qc_geo };
      answer = zones.lookup(index, point.lon, point.lat, point.approximate);
    } else answer = zones.lookup(index, input.lon, input.lat, false);
    res.json({ ...answer, ...(address ? { address } : {}) } satisfies DeliveryZoneCheck);
  });
}
