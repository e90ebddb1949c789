/**
 * npm run build:widget — compiles the widget (webpack + ts-loader) and packs the zip admins
 * upload: manifest.json, script.js, i18n/*.json and images/* at the zip root (reference §1).
 * Output: dist/widget/ (unpacked, what /demo loads) and dist/amo-address-<version>.zip.
 * The backend URL comes from PUBLIC_URL (default http://localhost:3000).
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

export async function buildWidget(options: { backendUrl?: string; outDir?: string } = {}): Promise<{ dir: string; zip: string; version: string }> {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  const distDir = options.outDir ?? join(ROOT, 'dist');
  const dir = join(distDir, 'widget');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'i18n'), { recursive: true });
  mkdirSync(join(dir, 'images'), { recursive: true });

  await compile(<webpack.Configuration>widgetConfig({ backendUrl: (options.backendUrl ?? process.env.PUBLIC_URL ?? 'http://localhost:3000').replace(/\/+$/, ''), outDir: dir }));

  const manifest = JSON.parse(readFileSync(join(ROOT, 'widget/manifest.json'), 'utf8'));
  manifest.widget.version = version;
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { zip, dir } = await buildWidget();
  const size = readFileSync(join(dir, 'script.js')).length;
  console.log(`widget built: ${zip} (script.js ${(size / 1024).toFixed(1)} KB)`);
}
