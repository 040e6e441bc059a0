// Checks what `npm run build` produced for the published package (run by `npm test` after the build):
// - API.md is what jsii-docgen makes of the current assembly (else: run `npm run docgen` and commit API.md);
// - every README and @example snippet compiles (jsii-rosetta extract --strict, fixtures in rosetta/);
// - the Python and Go bindings generate (jsii-pacmak --code-only) and the Python module parses.
// Full Python and Go packaging needs PyPI and the Go toolchain's module downloads, which this
// project's machines cannot reach; the generated code is the proof the bindings are sound.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
// jsii's tools warn on every run on Node 20; the check itself does not depend on it.
const env = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] };

if (!existsSync(join(root, '.jsii'))) {
  console.error('check-package: .jsii is missing. Run `npm run build` first (npm test does).');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'cdk-sagemaker-datasets-package-'));

async function timed(name, task) {
  const start = Date.now();
  try {
    const detail = await task();
    return { name, ok: true, detail, seconds: (Date.now() - start) / 1000 };
  } catch (error) {
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n').trim();
    return { name, ok: false, detail: output || String(error), seconds: (Date.now() - start) / 1000 };
  }
}

async function apiReference() {
  const fresh = join(scratch, 'API.md');
  await run(bin('jsii-docgen'), ['-o', fresh], { cwd: root, env, maxBuffer: 64 << 20 });
  const committed = existsSync(join(root, 'API.md')) ? readFileSync(join(root, 'API.md'), 'utf8') : '';
  if (readFileSync(fresh, 'utf8') !== committed) {
    throw new Error('API.md is stale: the public API or its doc comments changed. Run `npm run docgen` and commit API.md.');
  }
  return 'API.md matches the assembly';
}

async function snippets() {
  await run(bin('jsii-rosetta'), ['extract', '--strict', '.jsii'], { cwd: root, env, maxBuffer: 64 << 20 });
  const tablet = JSON.parse(readFileSync(join(root, '.jsii.tabl.json'), 'utf8'));
  const all = Object.values(tablet.snippets);
  const failed = all.filter((snippet) => !snippet.didCompile);
  if (all.length === 0 || failed.length > 0) {
    throw new Error(`${failed.length} of ${all.length} snippets did not compile`);
  }
  return `${all.length} README and @example snippets compile`;
}

async function bindings() {
  const out = join(scratch, 'bindings');
  // pacmak packs the npm tarball it embeds with `npm pack`; the build already ran, so no lifecycle scripts.
  await run(bin('jsii-pacmak'), ['--code-only', '--targets', 'python', '--targets', 'go', '--outdir', out],
    { cwd: root, env: { ...env, npm_config_ignore_scripts: 'true' }, maxBuffer: 64 << 20 });
  const pythonModule = join(out, 'python', 'src', 'cdk_sagemaker_datasets', '__init__.py');
  await run('python3', ['-m', 'py_compile', pythonModule]);
  const goDir = join(out, 'go', 'cdksagemakerdatasets');
  const goFiles = readdirSync(goDir).filter((file) => file.endsWith('.go'));
  if (!existsSync(join(goDir, 'go.mod')) || goFiles.length === 0) {
    throw new Error(`no Go module in ${goDir}`);
  }
  const pythonKiB = Math.round(statSync(pythonModule).size / 1024);
  return `Python module (${pythonKiB} KiB, compiles) and Go module (${goFiles.length} files) generated`;
}

const results = await Promise.all([timed('API.md', apiReference), timed('snippets', snippets), timed('bindings', bindings)]);
rmSync(scratch, { recursive: true, force: true });
for (const result of results) {
  console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${result.name} (${result.seconds.toFixed(1)} s): ${result.detail}`);
}
process.exit(results.every((result) => result.ok) ? 0 : 1);
