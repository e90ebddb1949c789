/** Writes public/integration-logo.svg and .png (256x256) from widget/images/logo.svg. */
import { copyFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LOGO_SOURCE, renderLogo } from './logos.js';

const pub = (name: string) => fileURLToPath(new URL(`../public/${name}`, import.meta.url));
copyFileSync(LOGO_SOURCE, pub('integration-logo.svg'));
writeFileSync(pub('integration-logo.png'), renderLogo(256, 256));
console.log('public/integration-logo.svg and public/integration-logo.png written from widget/images/logo.svg');
