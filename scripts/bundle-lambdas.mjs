// Bundles every Lambda handler (lambda/src/handlers/<name>.ts → assets/handlers/<name>/index.js)
// and the CLI (lambda/src/cli/main.ts → assets/cli/index.js) so that consumers of the library
// synthesize without esbuild or Docker. Runs on `npm ci` (prepare) and `npm run build`.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, basename } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const handlersDir = join(root, 'lambda/src/handlers');
const cliEntry = join(root, 'lambda/src/cli/main.ts');
const outRoot = join(root, 'assets');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: false,
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(outRoot, { recursive: true, force: true });
const jobs = [];
if (existsSync(handlersDir)) {
  for (const file of readdirSync(handlersDir).filter((f) => f.endsWith('.ts'))) {
    const name = basename(file, '.ts');
    jobs.push(build({ ...common, entryPoints: [join(handlersDir, file)], outfile: join(outRoot, 'handlers', name, 'index.js') }));
  }
}
if (existsSync(cliEntry)) {
  jobs.push(build({ ...common, entryPoints: [cliEntry], outfile: join(outRoot, 'cli', 'index.js'), banner: { js: '#!/usr/bin/env node' } }));
}
await Promise.all(jobs);
console.log(`bundled ${jobs.length} entry point(s) into assets/`);
