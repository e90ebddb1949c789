// Builds widget/src into one AMD script.js (reference §2): define(['jquery'], factory), with
// jQuery left to amoCRM (externals), never bundled.
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';

const root = fileURLToPath(new URL('.', import.meta.url));

export default function widgetConfig({ backendUrl = 'http://localhost:3000', outDir = `${root}dist/widget`, development = false } = {}) {
  return {
    mode: 'production',
    target: ['web', 'es2019'],
    // script.js runs in every card; console.js only on the advanced settings page, delivery.js only
    // after a pick (both loaded by script.js through amoCRM's RequireJS).
    entry: { script: `${root}widget/src/index.ts`, console: `${root}widget/src/console/entry.ts`, delivery: `${root}widget/src/delivery/entry.ts` },
    output: { path: outDir, filename: '[name].js', library: { type: 'amd', export: 'default' }, clean: false },
    externals: { jquery: 'jquery' },
    resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
    module: {
      rules: [
        { test: /\.ts$/, loader: 'ts-loader', options: { configFile: `${root}widget/tsconfig.json`, onlyCompileBundledFiles: true } },
        // Leaflet's stylesheet as text, injected by the console's map (console.js only).
        { test: /\.css$/, type: 'asset/source' },
      ],
    },
    plugins: [
      new webpack.DefinePlugin({ __BACKEND_URL__: JSON.stringify(backendUrl) }),
      // Read by check-widget: which backend this zip calls, and whether it was a development build.
      new webpack.BannerPlugin({ banner: `amo-address backend=${backendUrl}${development ? ' development' : ''}`, footer: true, stage: webpack.Compilation.PROCESS_ASSETS_STAGE_REPORT }),
    ],
    performance: { hints: false },
    devtool: false,
  };
}
