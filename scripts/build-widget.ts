/**
 * npm run build:widget — compiles the widget (webpack + ts-loader) and packs the zip admins
 * upload: manifest.json, script.js, i18n/*.json and images/* at the zip root (reference §1).
 * Output: dist/widget/ (unpacked, what /demo loads) and dist/amo-address-<version>.zip.
 * The backend URL comes from PUBLIC_URL. amoCRM's pages are https, so a zip for amoCRM needs an
 * https backend and real support contacts (WIDGET_SUPPORT_EMAIL / WIDGET_SUPPORT_URL); only a
 * development build (`-- --dev`, what `npm start` and the tests use) may point at http.
 */
import 'dotenv/config';
import webpack from 'webpack';
import { ZipArchive } from 'archiver';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import widgetConfig from '../webpack.config.js';
import { renderLogo, WIDGET_IMAGES } from './logos.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WIDGET_CODE = 'amo-address';

export interface BuildOptions {
  backendUrl?: string;
  outDir?: string;
  /** A build for the demo page or a local test: an http backend and no support contacts are allowed. */
  development?: boolean;
  support?: { email?: string; link?: string };
}

/** Why this build must not be made, in words; null when it may. */
export function buildProblems(backendUrl: string, support: { email?: string; link?: string }, development: boolean): string[] {
  if (development) return [];
  const problems: string[] = [];
  if (!backendUrl.startsWith('https://')) problems.push(`PUBLIC_URL is ${backendUrl || 'not set'}: amoCRM pages are https and cannot call an http backend. Set PUBLIC_URL=https://<your backend>, or build for local development with npm run build:widget -- --dev`);
  if (!support.email && !support.link) problems.push('Set WIDGET_SUPPORT_EMAIL or WIDGET_SUPPORT_URL: amoCRM shows them to admins as the widget’s support contacts');
  for (const value of [support.email, support.link]) if (value && isPlaceholder(value)) problems.push(`${value} is a placeholder: give a real support contact`);
  return problems;
}

const isPlaceholder = (value: string) => /(^|[@./])(example\.(com|org|net)|[a-z0-9-]+\.example|localhost|127\.0\.0\.1)(\/|$|:)/i.test(value);

export async function buildWidget(options: BuildOptions = {}): Promise<{ dir: string; zip: string; version: string }> {
  const backendUrl = (options.backendUrl ?? process.env.PUBLIC_URL ?? '').replace(/\/+$/, '');
  const development = options.development ?? false;
  const support = options.support ?? { email: process.env.WIDGET_SUPPORT_EMAIL || undefined, link: process.env.WIDGET_SUPPORT_URL || undefined };
  const problems = buildProblems(backendUrl, support, development);
  if (problems.length) throw new BuildRefused(problems);
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  const distDir = options.outDir ?? join(ROOT, 'dist');
  const dir = join(distDir, 'widget');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'i18n'), { recursive: true });
  mkdirSync(join(dir, 'images'), { recursive: true });

  await compile(<webpack.Configuration>widgetConfig({ backendUrl: backendUrl || 'http://localhost:3000', outDir: dir, development }));
  // The mobile app's page (mobile_card) is served by the backend, not part of the zip.
  const mobile = widgetConfig({ backendUrl: backendUrl || 'http://localhost:3000', outDir: join(distDir, 'mobile'), development });
  await compile(<webpack.Configuration>{ ...mobile, entry: { mobile: join(ROOT, 'widget/src/mobile/entry.ts') } });

  const manifest = JSON.parse(readFileSync(join(ROOT, 'widget/manifest.json'), 'utf8'));
  manifest.widget.version = version;
  // amoCRM's mobile app opens this page in a lead card's widget block, adding ?token=&from= (mobile widgets page).
  manifest.mobile.frame_url = `${backendUrl || 'http://localhost:3000'}/mobile/card`;
  // Support contacts come from configuration; a development build points at its own backend.
  manifest.widget.support = development && !support.email && !support.link ? { link: backendUrl || 'http://localhost:3000' } : { ...(support.link ? { link: support.link } : {}), ...(support.email ? { email: support.email } : {}) };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const file of readdirSync(join(ROOT, 'widget/i18n'))) copyFileSync(join(ROOT, 'widget/i18n', file), join(dir, 'i18n', file));
  for (const [name, [w, h]] of Object.entries(WIDGET_IMAGES)) writeFileSync(join(dir, 'images', name), renderLogo(w, h));

  const zip = join(distDir, `${WIDGET_CODE}-${version}.zip`);
  await pack(dir, zip);
  return { dir, zip, version };
}

function compile(config: webpack.Configuration): Promise<void> {
  return new Promise((resolve, reject) => {
    webpack(config, (error, stats) => {
      if (error) return reject(error);
      if (stats?.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true })));
      resolve();
    });
  });
}

/** The folder's contents at the zip root, not the folder itself (reference §1). */
function pack(dir: string, zipPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const output = createWriteStream(zipPath);
    const archive = new ZipArchive({ zlib: { level: 9 } });
    output.on('close', () => resolve());
    archive.on('error', reject);
    archive.pipe(output);
    archive.directory(dir, false);
    void archive.finalize();
  });
}

export class BuildRefused extends Error {
  constructor(readonly problems: string[]) {
    super(`The widget was not built:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const development = process.argv.includes('--dev');
  try {
    const { zip, dir } = await buildWidget({ development, backendUrl: process.env.PUBLIC_URL ?? (development ? `http://localhost:${process.env.PORT ?? 3000}` : '') });
    const kb = (file: string) => (readFileSync(join(dir, file)).length / 1024).toFixed(1);
    console.log(`widget built${development ? ' for development' : ''}: ${zip} (script.js ${kb('script.js')} KB; console.js, the advanced settings page only, ${kb('console.js')} KB; delivery.js, the panel after a pick, ${kb("delivery.js")} KB)`);
  } catch (error) {
    if (!(error instanceof BuildRefused)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}
