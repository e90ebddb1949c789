/**
 * Which tags make an area the import places houses by: an administrative boundary of
 * admin_level 4–8, or a settlement's area (OpenStreetMap wiki "Tag:boundary=administrative",
 * "Key:place"), named. One definition for every reader (XML, PBF) and for the area finder.
 */
export const SETTLEMENT_KINDS = new Set(['city', 'town', 'village', 'hamlet']);
const ADMIN_LEVELS = new Set(['4', '5', '6', '7', '8']);

export function isArea(tags: Record<string, string>): boolean {
  if (!tags.name) return false;
  return (tags.boundary === 'administrative' && ADMIN_LEVELS.has(tags.admin_level)) || SETTLEMENT_KINDS.has(tags.place);
}

export function adminLevelOf(tags: Record<string, string>): number | null {
  return tags.boundary === 'administrative' && ADMIN_LEVELS.has(tags.admin_level) ? Number(tags.admin_level) : null;
}
