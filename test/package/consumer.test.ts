/**
 * The consumer's view: pack the library as npm would publish it, install the tarball into an app
 * outside the repository that has only aws-cdk-lib, constructs and cdk-nag beside it, type-check
 * that app with the README's snippets, synthesize it under the five cdk-nag packs (synthesis fails
 * on any finding) and lint its templates with cfn-lint.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { lintTemplates } from '../support/cfn-lint';
import { CFN_LINT, describeWithTool } from '../support/external-tool';

const root = resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const appSources = join(__dirname, 'consumer-app');
const timings: Record<string, number> = {};

function timed<T>(step: string, work: () => T): T {
  const start = Date.now();
  try {
    return work();
  } finally {
    timings[step] = (Date.now() - start) / 1000;
  }
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${failure.stdout ?? ''}\n${failure.stderr ?? failure.message}`);
  }
}

/** The newest modification time of the files below `dir` (0 when it does not exist). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), stat.mtimeMs);
}

/** `npm test` builds first; a lone `npx jest` run rebuilds when the sources are newer than the assembly. */
function ensureBuilt(): void {
  const built = existsSync(join(root, '.jsii')) ? statSync(join(root, '.jsii')).mtimeMs : 0;
  const sources = Math.max(newest(join(root, 'lib')), newest(join(root, 'lambda', 'src')), newest(join(root, 'package.json')), newest(join(root, 'README.md')));
  if (built < sources || !existsSync(join(root, 'dist', 'lib', 'index.js')) || !existsSync(join(root, 'assets', 'handlers'))) {
    run('npm', ['run', 'build'], root);
  }
}

/** Every module `entry` loads through relative `require()`s, as paths relative to `packageDir`. */
function requireClosure(packageDir: string, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const key = relative(packageDir, file);
    if (seen.has(key)) return;
    seen.add(key);
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
      const base = resolve(dirname(file), target);
      const candidates = [base, `${base}.js`, join(base, 'index.js')];
      const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
      if (!found) throw new Error(`${key} requires ${target}, which the package does not contain`);
      visit(found);
    }
  };
  visit(join(packageDir, entry));
  return seen;
}

describeWithTool(CFN_LINT, 'the packed library, installed into a consumer app', () => {
  let work: string;
  let tarball: string;
  let files: string[];
  let appDir: string;

  beforeAll(() => {
    timed('build (if stale)', ensureBuilt);
    work = mkdtempSync(join(tmpdir(), 'cdk-sagemaker-datasets-consumer-'));
    // The build ran above; packing needs no lifecycle script.
    const packed = timed('npm pack', () => JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root)));
    tarball = join(work, packed[0].filename);
    files = packed[0].files.map((file: { path: string }) => file.path);

    appDir = join(work, 'app');
    mkdirSync(appDir);
    const devVersion = (name: string) => manifest.devDependencies[name];
    writeFileSync(join(appDir, 'package.json'), JSON.stringify({
      name: 'consumer-app', version: '0.0.0', private: true,
      dependencies: {
        'aws-cdk-lib': devVersion('aws-cdk-lib'), 'constructs': devVersion('constructs'), 'cdk-nag': devVersion('cdk-nag'),
        'cdk-sagemaker-datasets': `file:${tarball}`,
      },
    }, null, 2));
    // From npm's cache (npm ci filled it); the registry only for what the cache lacks.
    timed('npm install', () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], appDir));
    for (const file of readdirSync(appSources)) copyFileSync(join(appSources, file), join(appDir, file));
  }, 900_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    console.log(`consumer test timings (s): ${JSON.stringify(timings)}`);
  });

  test('the tarball holds the compiled library, the handler bundles, the CLI, .jsii and API.md', () => {
    expect(files).toEqual(expect.arrayContaining(['.jsii', 'API.md', 'README.md', 'package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'assets/cli/index.js']));
    const handlers = readdirSync(join(root, 'lambda', 'src', 'handlers')).map((file) => `assets/handlers/${file.replace(/\.ts$/, '')}/index.js`);
    expect(files).toEqual(expect.arrayContaining(handlers));
    // Compiled modules, handler bundles and the CLI, the HyperPod lifecycle scripts the library uploads, the assembly and docs: nothing else.
    const expected = /^(dist\/(lib|contract|lambda\/src)\/.*\.(js|d\.ts)|assets\/(handlers\/[^/]+|cli)\/index\.js|lib\/hyperpod\/lifecycle\/[\w-]+\.sh|\.jsii|API\.md|README\.md|package\.json|LICENSE)$/;
    expect(files.filter((file) => !expected.test(file))).toEqual([]);
  });

  test('every compiled module in the tarball is one the library loads', () => {
    const installed = join(appDir, 'node_modules', 'cdk-sagemaker-datasets');
    const loaded = requireClosure(installed, 'dist/lib/index.js');
    const shipped = files.filter((file) => file.endsWith('.js') && file.startsWith('dist/'));
    // A module of types only (the contract's request shapes) compiles to an empty module: consumers use its .d.ts.
    const typesOnly = (file: string) => readFileSync(join(installed, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      .replace(/"use strict";|Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);/g, '')
      .trim() === '';
    expect(shipped.filter((file) => !loaded.has(file) && !typesOnly(file))).toEqual([]);
  });

  test('installing it brings neither esbuild nor jsii, TypeScript or the handlers\' dependencies', () => {
    const packages = readdirSync(join(appDir, 'node_modules')).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(appDir, 'node_modules', name)).map((scoped) => `${name}/${scoped}`) : [name]);
    expect(packages.filter((name) => !name.startsWith('.')).sort()).toEqual(expect.arrayContaining(['aws-cdk-lib', 'cdk-nag', 'cdk-sagemaker-datasets', 'constructs']));
    expect(packages.filter((name) => /^(esbuild|@esbuild\/|jsii|typescript|@aws-sdk\/|zod|yauzl|tsx)/.test(name))).toEqual([]);
  });

  test('the platform app type-checks, synthesizes under the five cdk-nag packs and lints clean', async () => {
    // The consumer's TypeScript is the repository's compiler; the app has no @types/node.
    timed('tsc (consumer app)', () => run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], appDir));
    const outdir = join(appDir, 'cdk.out');
    // Synthesis fails on any unacknowledged finding (ComplianceChecks.addTo, cdk-nag through Validations).
    timed('synth (platform app)', () => run(process.execPath, ['dist/platform-app.js'], appDir, { CDK_OUTDIR: outdir }));
    const template = JSON.parse(readFileSync(join(outdir, 'ConsumerPlatform.template.json'), 'utf8'));
    expect(Object.values(template.Resources).filter((resource) => (resource as { Type: string }).Type === 'AWS::FSx::FileSystem')).toHaveLength(1);
    const lintStart = Date.now();
    const findings = await lintTemplates('us-east-1', { ConsumerPlatform: template });
    timings['cfn-lint'] = (Date.now() - lintStart) / 1000;
    expect(findings).toEqual([]);
  }, 600_000);
});
