/**
 * The Chromium the browser tests and the render bench drive with playwright-core: CHROME_PATH (or CHROMIUM_PATH), else
 * Debian's /usr/bin/chromium when present, else the build shipped inside the npm package
 * @sparticuz/chromium (unpacked to /tmp on first use). Playwright's own download is not used.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const BASE_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const FLAGS = [...BASE_FLAGS, ...extraArgs];
  const given = process.env.CHROME_PATH ?? process.env.CHROMIUM_PATH;
  if (given) return chromium.launch({ executablePath: given, args: FLAGS });
  if (existsSync('/usr/bin/chromium')) return chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const packaged = (await import('@sparticuz/chromium')).default;
  // Its own flags are for one-shot serverless runs (--single-process closes the browser with its first page): ours only.
  return chromium.launch({ executablePath: await packaged.executablePath(), args: FLAGS });
}
