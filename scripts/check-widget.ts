/**
 * npm run check:widget [-- <zip>] — validates a widget archive the way amoCRM would
 * (reference §1, §2): files at the zip root, manifest fields, an i18n file per locale with every
 * key the manifest and script.js use, image names and pixel sizes, AMD shape, no bundled jQuery,
 * and the size budget. Exits 1 with the list of problems.
 */
import AdmZip from 'adm-zip';
import { imageSize } from 'image-size';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WIDGET_IMAGES } from './logos.js';

export const SCRIPT_BUDGET_BYTES = 25 * 1024;
const IMAGE_MAX_BYTES = 300 * 1024;
const KNOWN_LOCATIONS = /^(lcard|ccard|comcard|cucard|llist|clist|tlist|card_sdk|digital_pipeline|everywhere|catalogs|mobile_card|lead_sources|whatsapp_modal|sms|settings|advanced_settings)(-[01])?$/;
const SETTING_TYPES = new Set(['text', 'pass', 'users', 'users_lp', 'custom']);

/** The backend a built script.js calls, from the footer build-widget writes (webpack.config.js). */
export function bakedBackend(script: string): { url: string; development: boolean } | null {
  const match = /\/\*!? ?amo-address backend=(\S+)( development)? ?\*\/\s*$/.exec(script);
  return match ? { url: match[1], development: Boolean(match[2]) } : null;
}

export function checkWidgetZip(zipPath: string, options: { development?: boolean } = {}): string[] {
  const problems: string[] = [];
  let zip: AdmZip;
  try {
    zip = new AdmZip(zipPath);
  } catch {
    return [`${zipPath} is not a readable zip archive`];
  }
  const files = new Map(zip.getEntries().filter((e) => !e.isDirectory).map((e) => [e.entryName, e.getData()]));
  const text = (name: string) => files.get(name)?.toString('utf8');
  const json = (name: string): unknown => {
    try {
      return JSON.parse(text(name) ?? '');
    } catch {
      problems.push(`${name} is not valid JSON`);
      return null;
    }
  };

  for (const required of ['manifest.json', 'script.js']) {
    if (!files.has(required)) {
      const nested = [...files.keys()].find((f) => f.endsWith(`/${required}`));
      problems.push(nested ? `${required} must be at the zip root, found ${nested}` : `${required} is missing`);
    }
  }
  const manifest = (files.has('manifest.json') ? json('manifest.json') : null) as Manifest | null;
  const locales: Record<string, unknown> = {};
  if (manifest) {
    const w = manifest.widget ?? ({} as Manifest['widget']);
    for (const key of ['name', 'description', 'short_description'] as const) {
      if (typeof w[key] !== 'string' || !w[key]!.includes('.')) problems.push(`manifest widget.${key} must be an i18n key such as "widget.${key}"`);
    }
    if (typeof w.version !== 'string' || !/^\d+\.\d+\.\d+$/.test(w.version)) problems.push('manifest widget.version must look like 1.0.0');
    if (w.interface_version !== 2) problems.push('manifest widget.interface_version must be 2');
    if (typeof w.init_once !== 'boolean') problems.push('manifest widget.init_once must be true or false');
    if (w.installation !== true) problems.push('manifest widget.installation must be true');
    if (!w.support?.link && !w.support?.email) problems.push('manifest widget.support needs a link or an email');
    for (const contact of [w.support?.link, w.support?.email]) {
      if (!options.development && contact && /(^|[@./])([a-z0-9-]+\.example|example\.(com|org|net)|localhost|127\.0\.0\.1)(\/|$|:)/i.test(contact)) problems.push(`manifest widget.support "${contact}" is a placeholder or local address: set WIDGET_SUPPORT_EMAIL / WIDGET_SUPPORT_URL`);
    }
    if (!Array.isArray(w.locale) || !w.locale.length) problems.push('manifest widget.locale must list the locales');
    for (const locale of w.locale ?? []) {
      const name = `i18n/${locale}.json`;
      if (!files.has(name)) problems.push(`${name} is missing for locale "${locale}"`);
      else locales[locale] = json(name);
    }
    if (!Array.isArray(manifest.locations) || !manifest.locations.length) problems.push('manifest locations must not be empty');
    for (const location of manifest.locations ?? []) if (!KNOWN_LOCATIONS.test(location)) problems.push(`manifest location "${location}" is not one amoCRM knows`);
    const keys = [w.name, w.description, w.short_description].filter((k): k is string => typeof k === 'string');
    for (const [id, setting] of Object.entries(manifest.settings ?? {})) {
      if (!SETTING_TYPES.has(setting.type)) problems.push(`setting "${id}" has unknown type "${setting.type}"`);
      if (typeof setting.name !== 'string') problems.push(`setting "${id}" needs a name (an i18n key)`);
      else keys.push(setting.name);
    }
    const script = text('script.js') ?? '';
    for (const [, key] of script.matchAll(/["'`]((?:address|status|settings|widget)\.[a-z_]+)["'`]/g)) keys.push(key);
    for (const [locale, messages] of Object.entries(locales)) {
      for (const key of new Set(keys)) if (lookup(messages, key) === undefined) problems.push(`i18n/${locale}.json has no key "${key}"`);
    }
  }

  for (const [name, [width, height]] of Object.entries(WIDGET_IMAGES)) {
    const data = files.get(`images/${name}`);
    if (!data) {
      problems.push(`images/${name} is missing (${width}x${height} PNG)`);
      continue;
    }
    try {
      const size = imageSize(new Uint8Array(data));
      if (size.type !== 'png') problems.push(`images/${name} must be a PNG, not ${size.type}`);
      if (size.width !== width || size.height !== height) problems.push(`images/${name} must be ${width}x${height}, is ${size.width}x${size.height}`);
    } catch {
      problems.push(`images/${name} is not a readable image`);
    }
    if (data.length > IMAGE_MAX_BYTES) problems.push(`images/${name} is over 300 KB`);
  }

  // The advanced settings page runs console.js, which script.js loads there through RequireJS.
  if (manifest?.locations?.some((l) => l.startsWith('advanced_settings'))) {
    const consoleJs = files.get('console.js')?.toString('utf8');
    if (!consoleJs) problems.push('console.js is missing: the advanced_settings location loads it');
    // A license line (Leaflet's) may come first.
    else if (!/^\s*(?:\/\*[\s\S]*?\*\/\s*)?define\(/.test(consoleJs)) problems.push('console.js must be an AMD module (define(factory))');
  }

  // A card loads delivery.js (verdict, delivery chip, courier's details) through RequireJS at the first pick.
  const deliveryJs = files.get('delivery.js')?.toString('utf8');
  if (!deliveryJs) problems.push('delivery.js is missing: cards load it at the first pick');
  else if (!/^\s*define\(/.test(deliveryJs)) problems.push('delivery.js must be an AMD module (define(factory))');

  // The mobile app opens mobile.frame_url in a WebView with ?token= (amoCRM's mobile widgets page).
  if (manifest?.locations?.includes('mobile_card')) {
    const frame = manifest.mobile?.frame_url ?? '';
    if (!/^https?:\/\/[^/]+/.test(frame)) problems.push('the mobile_card location needs mobile.frame_url: the page the app opens in a lead card');
    else if (!options.development && !frame.startsWith('https://')) problems.push(`mobile.frame_url is ${frame}: the app opens https pages only. Build with PUBLIC_URL=https://…`);
  }

  const script = files.get('script.js');
  if (script) {
    const source = script.toString('utf8');
    if (!/^\s*define\(\s*\[/.test(source)) problems.push('script.js must be an AMD module starting with define([...], factory)');
    if (/jQuery JavaScript Library|jquery:\s*["']3\.|\.fn\.jquery\s*=/.test(source)) problems.push('script.js bundles jQuery: amoCRM provides it, declare it as an AMD dependency instead');
    const backend = bakedBackend(source);
    if (!backend) problems.push('script.js names no backend: build it with npm run build:widget');
    else if (!options.development && !backend.url.startsWith('https://')) {
      problems.push(`script.js calls ${backend.url}${backend.development ? ' (a development build)' : ''}: amoCRM pages are https and cannot call it. Build with PUBLIC_URL=https://… (check a development build with -- --dev)`);
    }
    if (script.length > SCRIPT_BUDGET_BYTES) problems.push(`script.js is ${(script.length / 1024).toFixed(1)} KB, over the ${SCRIPT_BUDGET_BYTES / 1024} KB budget`);
  }
  return problems;
}

interface Manifest {
  mobile?: { frame_url?: string; color?: string };
  widget: { name?: string; description?: string; short_description?: string; version?: string; interface_version?: number; init_once?: boolean; installation?: boolean; locale?: string[]; support?: { link?: string; email?: string } };
  locations?: string[];
  settings?: Record<string, { name: string; type: string; required?: boolean }>;
}

function lookup(messages: unknown, key: string): unknown {
  let node = messages;
  for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const args = process.argv.slice(2);
  const development = args.includes('--dev');
  const zipPath = args.find((a) => a !== '--dev') ?? (existsSync(dist) ? readdirSync(dist).filter((f) => f.endsWith('.zip')).sort().map((f) => join(dist, f)).pop() : undefined);
  if (!zipPath) {
    console.error('no zip given and none in dist/: run npm run build:widget first');
    process.exit(2);
  }
  const problems = checkWidgetZip(zipPath, { development });
  if (problems.length) {
    console.error(`${zipPath}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`${zipPath}: OK`);
}
