/**
 * delivery.js: the panel under an address field after a pick (verdict, delivery chip priced for
 * the lead, the courier's details), an AMD module script.js loads through amoCRM's RequireJS at
 * the first pick, so cards nobody picks an address in never download it.
 */
import { deliveryPanel } from './delivery-panel.js';

export type { DeliveryPanel } from './delivery-panel.js';

export type DeliveryPanelModule = typeof deliveryPanel;
export default deliveryPanel;
