// Runs an operator script: its TypeScript through tsx where tsx is installed (a development
// checkout), else the JavaScript `npm run build` compiled into dist/scripts (a production
// install, `npm ci --omit=dev`). Plain JavaScript itself, so that it runs without any tooling.
// node scripts/run.mjs [node flags…] <name> [arguments…]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const at = args.findIndex((a) => !a.startsWith('--'));
if (at < 0) {
  console.error('usage: node scripts/run.mjs [node flags] <script name> [arguments]');
  process.exit(2);
}
const [flags, name, rest] = [args.slice(0, at), args[at], args.slice(at + 1)];
let hasTsx = true;
try {
  createRequire(import.meta.url).resolve('tsx');
} catch {
  hasTsx = false;
}
const compiled = join(root, 'dist', 'scripts', `${name}.js`);
const entry = hasTsx ? ['--import', 'tsx', join(root, 'scripts', `${name}.ts`)] : [compiled];
if (!hasTsx && !existsSync(compiled)) {
  console.error(`${compiled} is missing: run npm run build (on a machine with the devDependencies) first`);
  process.exit(2);
}
// The command runs as a child: a signal that stops this launcher (Ctrl-C, npm's SIGTERM, a
// timeout) stops it too, so no orphan keeps the import running or the output pipes open.
const child = spawn(process.execPath, [...flags, ...entry, ...rest], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
