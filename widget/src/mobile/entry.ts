/** dist/mobile/mobile.js: loaded by public/mobile/card.html through RequireJS; starts the page when required. */
import { startMobileCard } from './mobile-card.js';

startMobileCard(document, location);
export default true;
