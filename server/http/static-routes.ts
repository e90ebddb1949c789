import express, { Router } from 'express';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);

/**
 * The integration logo, the demo card page and what it loads: the built widget from dist/ and
 * the two libraries amoCRM itself provides to widgets (RequireJS and jQuery).
 */
export function staticRoutes(dirs: { publicDir: string; distDir: string }): Router {
  const router = Router();
  const send = (file: string, type: string) => (_req: express.Request, res: express.Response) => {
    res.type(type).setHeader('Cache-Control', 'public, max-age=3600');
    res.sendFile(file);
  };
  router.get('/integration-logo.svg', send(join(dirs.publicDir, 'integration-logo.svg'), 'image/svg+xml'));
  router.get('/integration-logo.png', send(join(dirs.publicDir, 'integration-logo.png'), 'image/png'));
  router.get('/vendor/jquery.js', send(join(dirname(require.resolve('jquery')), 'jquery.min.js'), 'application/javascript'));
  router.get('/vendor/require.js', send(join(dirname(require.resolve('requirejs/package.json')), 'require.js'), 'application/javascript'));

  // The demo lead card, and the widget's advanced settings page (the admin console) as amoCRM hosts it.
  const demoPage = (file: string): express.RequestHandler => (_req, res) => {
    if (!existsSync(join(dirs.distDir, 'widget', 'script.js'))) {
      res.status(503).json({ error: { code: 'widget_not_built', message: 'Run "npm run build:widget" (npm start does it) to build the widget the demo page loads.' } });
      return;
    }
    res.sendFile(join(dirs.publicDir, 'demo', file));
  };
  router.get('/demo', demoPage('index.html'));
  router.get('/demo/console', demoPage('console.html'));
  router.use('/demo', express.static(join(dirs.publicDir, 'demo'), { index: false, redirect: false }));
  router.use('/demo/widget', express.static(join(dirs.distDir, 'widget'), { fallthrough: false }));
  router.get('/', (_req, res) => res.redirect(302, '/demo'));
  return router;
}
