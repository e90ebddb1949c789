/**
 * Every logo is rendered from the one SVG source, widget/images/logo.svg: the integration logo
 * (256x256, served at /integration-logo.svg|png) and the widget images amoCRM requires
 * (reference §1), each centred on a canvas of the exact size.
 */
import { Resvg } from '@resvg/resvg-js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LOGO_SOURCE = fileURLToPath(new URL('../widget/images/logo.svg', import.meta.url));

/** Names and pixel sizes amoCRM requires in the widget's images/ (reference §1). */
export const WIDGET_IMAGES: Record<string, [number, number]> = {
  'logo_min.png': [84, 84],
  'logo_medium.png': [240, 84],
  'logo_main.png': [400, 272],
  'logo_small.png': [108, 108],
  'logo.png': [130, 100],
};

export function renderLogo(width: number, height: number, source = readFileSync(LOGO_SOURCE, 'utf8')): Buffer {
  const inner = source.replace(/^[\s\S]*?<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  const size = Math.min(width, height);
  const x = (width - size) / 2;
  const y = (height - size) / 2;
  const framed = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
    <g transform="translate(${x} ${y}) scale(${size / 256})">${inner}</g></svg>`;
  return Buffer.from(new Resvg(framed, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } }).render().asPng());
}
