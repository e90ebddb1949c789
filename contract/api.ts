/**
 * What the widget and the server say to each other over HTTP: the suggestion shape, the error
 * codes the widget acts on, and the status answer. Types only, so the widget's bundle gains
 * nothing; both sides import this one module (the server never exports these from its own files).
 */
import type { DadataAddressData } from './dadata.js';
import type { DeliveryRate, DistancePricing, Verdict } from './delivery.js';
export type { DadataAddressData };

/**
 * Our answer shape: DaData's suggestion (contract/dadata.ts), every key of its `data` present
 * (null when unknown), written by one builder for every source (server/geocoding/answer-builder.ts);
 * beside DaData's keys, the point as numbers and what DaData has no key for.
 */
export type AddressData = DadataAddressData & {
  /** The point as numbers (DaData's `geo_lat`/`geo_lon` hold the same as strings). */
  lat: number | null;
  lon: number | null;
  /** The intercom code typed after the house ("домофон 12К"): not DaData's; named like its `entrance` and `floor`. */
  intercom: string | null;
  /** Will a courier find it (contract/delivery.ts): from the point's quality and what was matched. */
  verdict: Verdict;
  /** The courier's words typed with the address (the card's detail inputs, a website's `courier_comment`); not DaData's. */
  courier_comment?: string | null;
  /**
   * The account's delivery zone holding this point (null: outside every zone); absent when the
   * account has no zones or the answer has no point. `approximate`: the street's or settlement's point.
   */
  delivery_zone?: DeliveryZone | null;
  /** Straight-line km to the account's nearest warehouse; absent without zones or warehouses. */
  delivery_distance_km?: number | null;
  /** What delivery here costs before the order is known (null: not delivered); absent when the account prices nothing. */
  delivery_rate?: DeliveryRate | null;
};

export interface DeliveryZone {
  id: number;
  name: string;
  price: number | null;
  /** The smallest order delivered to this zone. */
  min_order: number | null;
  free_from: number | null;
  time: string | null;
  color: string;
  /** The admin marked this area "no delivery": the address is in it, but it is not served. */
  no_delivery: boolean;
  approximate?: true;
}

/** GET /api/console/delivery-zones */
export interface DeliveryZonesView {
  zones: Array<Omit<DeliveryZone, 'approximate'> & { note: string | null; vertices: number; outline: Array<Array<Array<[number, number]>>> }>;
  warehouses: Array<{ id: number; address: string; lon: number; lat: number }>;
  source: { format: string; uploadedAt: string; bytes: number } | null;
  version: number;
  /** The price by distance from the nearest warehouse, or null when the account has none. */
  pricing: DistancePricing | null;
  /** The base map's tiles (the server's MAP_TILES_URL) and their attribution, or null: a plain background. */
  map: { tilesUrl: string; attribution: string | null } | null;
  /** What the file said that the admin should know, after an upload. */
  warnings?: ZoneWarning[];
  /** Zone names the mapped select field has no option for (the lead field then stays empty for them). */
  unmatchedOptions?: string[];
}

/**
 * Something a zone file said that was read differently from how it was written: `code` for the
 * console to word in the admin's language (with `count`, `zones`, `km` for its plural forms), `text` in English.
 */
export interface ZoneWarning {
  code: 'merged' | 'three_d' | 'self_crossing' | 'far_from_warehouses' | 'outside_russia' | 'skipped';
  count?: number;
  zones?: number;
  km?: number;
  text: string;
}

/** GET /api/console/delivery-zones/check */
export interface DeliveryZoneCheck {
  delivery_zone: DeliveryZone | null;
  delivery_distance_km: number | null;
  delivery_rate: DeliveryRate | null;
  /** With ?q=: the address the text resolved to, and how sure the index is of it. */
  address?: { value: string; lon: number; lat: number; verdict: Verdict; qc_geo: string | null } | null;
}

export type SuggestionSource = 'local' | 'account' | 'dadata' | 'yandex' | 'photon' | 'nominatim' | 'local-fallback';

export interface Suggestion {
  value: string;
  unrestricted_value: string;
  data: AddressData;
  source: SuggestionSource;
}

/**
 * Why a list is not simply what was typed: the house is not in the data (its street and nearest
 * houses are listed), or the settlement is known but the server has none of its streets.
 */
export type SuggestNote = { code: 'house_not_found'; house: string; street: string } | { code: 'no_streets'; settlement: string };

/** GET /api/address/suggest */
export interface SuggestResponse {
  suggestions: Suggestion[];
  /** Present only when the list needs a word of explanation. */
  note?: SuggestNote;
}

/**
 * GET /api/mobile/card: the card amoCRM's mobile app opened the widget in (its token names it),
 * the address field the account's admin chose for it, and what the field holds now.
 */
export interface MobileCardState {
  entity: 'leads';
  id: number;
  /** null: no address field is chosen for leads yet (the console's "Поля адреса"). */
  field: { id: number; name: string | null } | null;
  value: string | null;
  /** The lead's budget (amoCRM's `price`), which the delivery is priced for; null without one. */
  budget: number | null;
}

/** GET /api/widget/status */
export type WidgetStatus =
  | { mode: 'demo'; connected: false; authRequired: boolean }
  | { mode: 'amocrm'; accountId: number; connected: boolean; status: 'connected' | 'reconnect_required' | 'not_connected' };

/**
 * GET /api/console/state — the admin console in amoCRM's advanced settings (widget/src/console).
 * Everything is the caller's own account's (the disposable token's `account_id`).
 */
export interface ConsoleState {
  account: {
    id: number;
    /** `demo`: no amoCRM credentials on this server (npm start) */
    status: 'connected' | 'reconnect_required' | 'blocked' | 'not_connected' | 'demo';
    subdomain: string | null;
    /** ISO time a block ends */
    blockedUntil: string | null;
    /** why it needs a reconnect or is blocked, in words */
    reason: string | null;
  };
  /** The token's `is_admin`: only an admin changes anything here. */
  canManage: boolean;
  connectUrl: string | null;
  /** `limit`: waiting items the account may have; at it, website leads are refused with 429 until some are sent. */
  writes: { pending: number; done: number; parked: number; limit: number };
  siteKeys: Array<{ id: number; name: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }>;
  /** Where a website posts its leads (POST, X-Site-Key). */
  intakeUrl: string;
  /** `subscribed` null when amoCRM could not be asked (not connected, demo, unreachable); `destination` (it holds the secret) only for an admin */
  webhook: { subscribed: boolean | null; destination: string | null; queued: boolean };
  addressBook: { count: number; import: { status: 'pending' | 'done' | 'parked'; step: number; of: number; read: number; error: string | null } | null };
  /** The server's address data (the same for every account); only an operator account starts an update. */
  addressData: AddressDataStatus & { canUpdate: boolean };
}

/** What the address index holds and how it is kept current (GET /api/status, the console). */
export interface AddressDataStatus {
  regions: string[];
  sources: {
    openStreetMap: Array<{ extract: string; importedAt: string; houses: number }>;
    registry: { release: string | null; text: string | null; regions: Record<string, string> } | null;
  };
  counts: { settlements: number; streets: number; houses: number; withPostcode: number; withPoint: number };
  lastUpdate: { at: string; ok: boolean; summary: string } | null;
  nextUpdate: string | null;
  running: { what: string; step: string; startedAt: string } | null;
}

/** GET /api/console/fields — what the admin chooses from, with the saved choice. */
export interface ConsoleChoices {
  fields: Record<'leads' | 'contacts' | 'companies', Array<{ id: number; name: string; type: string; code: string | null; enums?: Array<{ id: number; value: string }> }>>;
  pipelines: Array<{ id: number; name: string; statuses: Array<{ id: number; name: string }> }>;
  settings: {
    pipelineId?: number;
    statusId?: number;
    /** The tag for an address weaker than a house with its own point. */
    uncheckedTag?: string;
    fields: Partial<Record<'leads' | 'contacts' | 'companies', Partial<Record<'address' | 'postalCode' | 'city' | 'coordinates' | 'zoneName' | 'zonePrice' | 'zoneDistance' | 'flat' | 'entrance' | 'floor' | 'intercom' | 'courierComment' | 'verdict', number>>>>;
  };
}

/** GET /api/console/writes?status=parked */
export interface ConsoleWrites {
  items: Array<{ id: number; kind: string; attempts: number; error: string | null; updatedAt: string }>;
}

/** POST /api/amocrm/{entity}/{id}/address */
export interface WritebackRequest {
  fieldId: number;
  value: string;
  data?: Partial<Record<keyof AddressData, string | number | null>>;
  source?: string;
}

/**
 * Every error code the backend answers with, and its HTTP status. One status per code wherever
 * it is raised (server/errors.ts takes the status from here).
 */
export const ERROR_STATUS = {
  // The request itself
  invalid_parameter: 400,
  invalid_body: 400,
  invalid_request: 400,
  invalid_webhook: 400,
  unsupported_card: 400,
  value_too_long: 400,
  unknown_field: 400,
  unsupported_field_type: 400,
  unknown_pipeline: 400,
  unknown_status: 400,
  field_of_other_entity: 400,
  field_not_writable: 400,
  field_not_allowed: 400,
  unknown_job: 400,
  invalid_zone_file: 400,
  zone_options_missing: 400,
  payload_too_large: 413,
  // Who is calling
  auth_required: 401,
  admin_required: 403,
  no_rights: 403,
  rights_unverifiable: 403,
  operator_required: 403,
  invalid_token: 401,
  token_expired: 401,
  invalid_signature: 401,
  invalid_api_key: 401,
  admin_token_required: 401,
  webhook_account_mismatch: 403,
  rate_limited: 429,
  // What was asked for
  not_found: 404,
  lead_not_found: 404,
  address_not_found: 404,
  // The account's connection: the request is fine, the account's state is not
  account_not_connected: 409,
  reconnect_required: 409,
  // Address data: one update at a time
  data_update_not_started: 409,
  site_key_limit: 409,
  // Cleaning the account's addresses: one job at a time, each phase in its turn
  clean_job_conflict: 409,
  // amoCRM's answers, as our callers see them
  amocrm_validation: 422,
  amocrm_insufficient_rights: 403,
  amocrm_grant_rejected: 502,
  amocrm_unauthorized: 502,
  amocrm_not_found: 502,
  amocrm_rate_limited: 502,
  amocrm_unavailable: 502,
  amocrm_unreachable: 502,
  amocrm_error: 502,
  amocrm_blocked: 503,
  // Ours
  not_configured: 503,
  database_unavailable: 503,
  storage_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; [detail: string]: unknown };
}
