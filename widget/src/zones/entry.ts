/** zones.js: the delivery chip, an AMD module script.js loads through amoCRM's RequireJS when an answer carries zones. */
import { zoneChip } from './zone-chip.js';

export type ZoneChip = typeof zoneChip;
export default zoneChip;
