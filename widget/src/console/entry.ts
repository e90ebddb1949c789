/**
 * console.js: a second AMD module in the zip, loaded only on the advanced settings page (script.js
 * asks RequireJS for it there), so the cards managers work in never download the console.
 */
import type { Translate } from '../i18n.js';
import type { Transport } from '../suggest.js';
import { ConsoleApi } from './console-api.js';
import { ConsolePage } from './console-page.js';
import { injectConsoleStyles } from './console-styles.js';

export default function mountConsole(root: HTMLElement, transport: Transport, t: Translate, locale: string): { destroy(): void } {
  injectConsoleStyles(root.ownerDocument);
  const page = new ConsolePage(root, new ConsoleApi(transport), t, locale);
  void page.load();
  return page;
}
