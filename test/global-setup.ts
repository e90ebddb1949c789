/** Builds the widget once before the tests: the demo page, check-widget and the e2e test use the real build. */
import { buildWidget } from '../scripts/build-widget.js';

export default async function setup(): Promise<void> {
  await buildWidget({ backendUrl: 'http://localhost:3000', development: true });
}
