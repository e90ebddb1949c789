import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AdmZip from 'adm-zip';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkWidgetZip } from '../../scripts/check-widget.js';
import { buildProblems } from '../../scripts/build-widget.js';
import { renderLogo } from '../../scripts/logos.js';
import { tempDir } from '../helpers.js';

const dist = join(process.cwd(), 'dist');
const builtZip = () => join(dist, readdirSync(dist).find((f) => /^amo-address-.*\.zip$/.test(f))!);
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

/** A copy of the built zip with one change applied. */
function variant(name: string, change: (zip: AdmZip) => void): string {
  const zip = new AdmZip(builtZip());
  change(zip);
  const path = join(tmp.dir, `${name}.zip`);
  zip.writeZip(path);
  return path;
}

describe('check:widget', () => {
  it('the built zip passes, with everything at the root', () => {
    expect(checkWidgetZip(builtZip(), { development: true })).toEqual([]);
    const names = new AdmZip(builtZip()).getEntries().map((e) => e.entryName).sort();
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'script.js', 'console.js', 'i18n/ru.json', 'i18n/en.json', 'images/logo_min.png', 'images/logo_medium.png', 'images/logo_main.png', 'images/logo_small.png', 'images/logo.png']));
    const manifest = JSON.parse(readFileSync(join(dist, 'widget/manifest.json'), 'utf8'));
    expect(manifest.locations).toEqual(['lcard-0', 'ccard-0', 'comcard-0', 'settings', 'advanced_settings', 'mobile_card']);
    expect(manifest.mobile).toEqual({ frame_url: 'http://localhost:3000/mobile/card', color: '#1f6feb' }); // amoCRM's mobile widgets page
    expect(manifest.widget.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('fails a zip whose advanced settings page has no console.js to load', () => {
    expect(checkWidgetZip(variant('no-console', (z) => z.deleteFile('console.js')), { development: true })).toContain('console.js is missing: the advanced_settings location loads it');
  });

  it('fails a zip with a missing image', () => {
    expect(checkWidgetZip(variant('no-image', (z) => z.deleteFile('images/logo_medium.png')))).toContain('images/logo_medium.png is missing (240x84 PNG)');
  });

  it('fails an image of the wrong size', () => {
    const path = variant('wrong-size', (z) => z.updateFile('images/logo_min.png', renderLogo(80, 80)));
    expect(checkWidgetZip(path)).toContain('images/logo_min.png must be 84x84, is 80x80');
  });

  it('fails a missing i18n key', () => {
    const path = variant('missing-key', (z) => {
      const ru = JSON.parse(z.readAsText('i18n/ru.json'));
      delete ru.address.nothing_found;
      delete ru.settings.field_ids;
      z.updateFile('i18n/ru.json', Buffer.from(JSON.stringify(ru)));
    });
    const problems = checkWidgetZip(path);
    expect(problems).toContain('i18n/ru.json has no key "address.nothing_found"');
    expect(problems).toContain('i18n/ru.json has no key "settings.field_ids"');
  });

  it('fails a bundled jQuery and a non-AMD script', () => {
    const jquery = readFileSync('node_modules/jquery/dist/jquery.js', 'utf8');
    const bundled = variant('bundled', (z) => z.updateFile('script.js', Buffer.from(`define([], function(){ ${jquery} });`)));
    const problems = checkWidgetZip(bundled);
    expect(problems).toContain('script.js bundles jQuery: amoCRM provides it, declare it as an AMD dependency instead');
    expect(problems.some((p) => p.includes('over the 25 KB budget'))).toBe(true);
    const plain = variant('plain', (z) => z.updateFile('script.js', Buffer.from('window.x = 1;')));
    expect(checkWidgetZip(plain)).toContain('script.js must be an AMD module starting with define([...], factory)');
  });

  it('fails files nested in a folder instead of the root', () => {
    const path = variant('nested', (z) => {
      const script = z.readFile('script.js')!;
      z.deleteFile('script.js');
      z.addFile('widget/script.js', script);
    });
    expect(checkWidgetZip(path)).toContain('script.js must be at the zip root, found widget/script.js');
  });

  it('refuses, for amoCRM, a zip that calls an http backend or names a placeholder support contact', () => {
    const problems = checkWidgetZip(builtZip());
    expect(problems.some((p) => p.startsWith('script.js calls http://localhost:3000'))).toBe(true);
    expect(problems.some((p) => p.includes('placeholder or local address'))).toBe(true);
  });

  it('build:widget refuses an http backend and missing or placeholder support contacts unless it is a development build', () => {
    expect(buildProblems('http://localhost:3000', { email: 'help@shop.ru' }, false)[0]).toMatch(/^PUBLIC_URL is http:\/\/localhost:3000/);
    expect(buildProblems('https://addr.shop.ru', {}, false)).toEqual(['Set WIDGET_SUPPORT_EMAIL or WIDGET_SUPPORT_URL: amoCRM shows them to admins as the widget’s support contacts']);
    expect(buildProblems('https://addr.shop.ru', { email: 'support@amo-address.example' }, false)[0]).toMatch(/placeholder/);
    expect(buildProblems('https://addr.shop.ru', { email: 'help@shop.ru' }, false)).toEqual([]);
    expect(buildProblems('http://localhost:3000', {}, true)).toEqual([]);
  });
});
