/**
 * What the widget and the server say to each other over HTTP: the suggestion shape, the error
 * codes the widget acts on, and the status answer. Types only, so the widget's bundle gains
 * nothing; both sides import this one module (the server never exports these from its own files).
 */

/** Our answer shape: DaData's suggestion (geocoding-notes, "Our answer shape"). Missing parts are null. */
export interface AddressData {
  country: string | null;
  region: string | null;
  city: string | null;
  settlement: string | null;
  street: string | null;
  house: string | null;
  block: string | null;
  flat: string | null;
  postal_code: string | null;
  lat: number | null;
  lon: number | null;
  /** What the registry (ГАР) knows, in DaData's field names: on answers from the registry only. */
  fias_id?: string | null;
  fias_level?: string | null;
  house_fias_id?: string | null;
  street_fias_id?: string | null;
  settlement_fias_id?: string | null;
  city_fias_id?: string | null;
  area_fias_id?: string | null;
  region_fias_id?: string | null;
  kladr_id?: string | null;
  okato?: string | null;
  oktmo?: string | null;
  region_with_type?: string | null;
  area?: string | null;
  area_with_type?: string | null;
  city_with_type?: string | null;
  settlement_with_type?: string | null;
  street_with_type?: string | null;
  house_type?: string | null;
  block_type?: string | null;
  /** DaData's flat type ("кв", "офис", "пом"), typed after the house; `flat` holds its number. */
  flat_type?: string | null;
  /** For the courier, typed after the house ("под 2", "эт 3", "домофон 12К"): not DaData's, named alike. */
  entrance?: string | null;
  floor?: string | null;
  intercom?: string | null;
  /** DaData's qc_geo: 0 the house's own point, 2 its street's, 3 its settlement's, 4 its city's, 5 none. */
  qc_geo?: string | null;
  /**
   * The account's delivery zone holding this point (null: outside every zone); absent when the
   * account has no zones or the answer has no point. `approximate`: the street's or settlement's point.
   */
  delivery_zone?: DeliveryZone | null;
  /** Straight-line km to the account's nearest warehouse; absent without zones or warehouses. */
  delivery_distance_km?: number | null;
}

export interface DeliveryZone {
  id: number;
  name: string;
  price: number | null;
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
  /** What the file said that the admin should know, after an upload. */
  warnings?: string[];
  /** Zone names the mapped select field has no option for (the lead field then stays empty for them). */
  unmatchedOptions?: string[];
}

/** GET /api/console/delivery-zones/check */
export interface DeliveryZoneCheck {
  delivery_zone: DeliveryZone | null;
  delivery_distance_km: number | null;
  /** With ?q=: the address the text resolved to. */
  address?: { value: string; lon: number; lat: number } | null;
}

/** The registry fields above, for code that copies them. */
export const REGISTRY_FIELDS = [
  'fias_id', 'fias_level', 'house_fias_id', 'street_fias_id', 'settlement_fias_id', 'city_fias_id', 'area_fias_id', 'region_fias_id', 'kladr_id', 'okato', 'oktmo',
  'region_with_type', 'area', 'area_with_type', 'city_with_type', 'settlement_with_type', 'street_with_type', 'house_type', 'block_type', 'qc_geo',
] as const satisfies ReadonlyArray<keyof AddressData>;

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
  settings: { pipelineId?: number; statusId?: number; fields: Partial<Record<'leads' | 'contacts' | 'companies', { address?: number; postalCode?: number; city?: number; coordinates?: number; zoneName?: number; zonePrice?: number; zoneDistance?: number }>> };
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
