/**
 * Will a courier find it: the verdict (contract/delivery.ts) from the finest part matched and
 * whose point it carries (DaData's `qc_geo`: 0 house, 1 nearest house, 2 street, 3 settlement,
 * 4 city, 5 none). DaData's suggestions leave `qc_complete` and `qc_house` null (its typed clients
 * declare them so), and so do ours; docs/api.md maps the verdict to DaData's clean-API codes.
 */
import type { Verdict } from '../../contract/delivery.js';

export interface VerdictParts {
  region?: string | null;
  city?: string | null;
  settlement?: string | null;
  street?: string | null;
  house?: string | null;
  flat?: string | null;
  qc_geo?: string | null;
  house_fias_id?: string | null;
}

export function verdictOf(d: VerdictParts): Exclude<Verdict, 'ambiguous' | 'not_found'> | 'not_found' {
  if (d.house) return d.qc_geo === '0' ? 'house' : 'house_approximate';
  if (d.street) return 'street';
  if (d.settlement || d.city) return 'settlement';
  return 'not_found';
}
