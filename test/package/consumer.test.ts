/**
 * The consumer's view: pack the library as npm would publish it, install the tarball into an app
 * outside the repository that has only aws-cdk-lib, constructs and cdk-nag beside it, type-check
 * its two apps (the platform's, with the README's snippets, and a team's that imports the
 * platform's network and file system from the handles the platform publishes), synthesize them
 * under the five cdk-nag packs (synthesis fails on any finding) and lint their templates with cfn-lint.
 *
 * @slow (npm pack and install, tsc, two synthesis processes, cfn-lint)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { lintTemplates } from '../support/cfn-lint';
import { CFN_LINT, describeWithTool } from '../support/external-tool';
import { withoutTestSwitches } from '../support/jest-setup';

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

interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Parameters?: Record<string, { Type: string; Default: string }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

function resourcesOfType(template: CfnTemplate, type: string) {
  return Object.values(template.Resources).filter((resource) => resource.Type === type);
}

function once<T>(work: () => T): () => T {
  let done = false;
  let result: T;
  return () => {
    if (!done) {
      result = work();
      done = true;
    }
    return result;
  };
}

/** Runs a command as a consumer's shell would (none of the test setup's switches); throws with its output when it fails. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, env: withoutTestSwitches({ ...process.env, ...env }), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
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
    const packed = timed('npm pack', () => JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root).stdout));
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

  /** Compiles both apps once (the consumer's TypeScript is the repository's compiler; the apps have no @types/node). */
  const compile = once(() => timed('tsc (consumer apps)', () => run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], appDir)));

  /**
   * Synthesizes one app; synthesis fails on any unacknowledged finding (ComplianceChecks.addTo, cdk-nag through Validations),
   * and aws-cdk-lib's built-in CloudFormation validation must find nothing.
   */
  function synth(app: string, stacks: string[]): Record<string, CfnTemplate> {
    compile();
    const outdir = join(appDir, `cdk.out.${app}`);
    const { stderr } = timed(`synth (${app})`, () => run(process.execPath, [`dist/${app}.js`], appDir, { CDK_OUTDIR: outdir }));
    // aws-cdk-lib's built-in CloudFormation validation (on for a consumer) reports its findings as warnings here.
    expect(stderr).not.toMatch(/Template validation found issues|\(CloudFormation Validate\)/);
    return Object.fromEntries(stacks.map((stack) => [stack, JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8'))]));
  }

  const platform = once(() => synth('platform-app', ['ConsumerPlatform']).ConsumerPlatform);

  async function lint(templates: Record<string, CfnTemplate>): Promise<string[]> {
    const start = Date.now();
    try {
      return await lintTemplates('us-east-1', templates);
    } finally {
      timings[`cfn-lint (${Object.keys(templates).join(', ')})`] = (Date.now() - start) / 1000;
    }
  }

  test('the platform app type-checks, synthesizes under the five cdk-nag packs and lints clean', async () => {
    const template = platform();
    expect(resourcesOfType(template, 'AWS::FSx::FileSystem')).toHaveLength(1);
    // It publishes its handles for team apps.
    expect(resourcesOfType(template, 'AWS::SSM::Parameter').map((p) => p.Properties.Name as string)).toEqual(expect.arrayContaining([
      '/consumer/platform/import/network', '/consumer/platform/import/fsx-lustre', '/consumer/platform/network/vpc-id',
    ]));
    expect(await lint({ ConsumerPlatform: template })).toEqual([]);
  }, 600_000);

  test('a team app imports the network and file system from the published handles (parameters, and exported attributes): nag-clean, lint-clean, no VPC endpoint', async () => {
    const team = synth('team-app', ['TeamFromParameters', 'TeamFromAttributes']);
    const published = platform();
    const publishedNames = new Set(resourcesOfType(published, 'AWS::SSM::Parameter').map((p) => p.Properties.Name as string));
    const exportedNames = new Set(Object.values(published.Outputs ?? {}).flatMap((output) => output.Export ? [output.Export.Name] : []));
    for (const [name, template] of Object.entries(team)) {
      // Nothing of the platform's is created again: no endpoint, VPC, subnet, route or file system.
      for (const type of ['AWS::EC2::VPCEndpoint', 'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::Route', 'AWS::FSx::FileSystem', 'AWS::EFS::FileSystem']) {
        expect({ name, type, count: resourcesOfType(template, type).length }).toEqual({ name, type, count: 0 });
      }
      // Nor is the S3 prefix list looked up again: the platform's id is used.
      expect(Object.values(template.Resources).filter((resource) => resource.Type.startsWith('Custom::'))).toEqual([]);
      // Its own launcher runs in the platform's subnets and reaches the file system.
      expect(resourcesOfType(template, 'AWS::Lambda::Function').length).toBeGreaterThan(0);
    }
    // Every parameter the team reads is one the platform publishes; every value it imports is one the platform exports.
    const read = Object.values(team.TeamFromParameters.Parameters ?? {}).flatMap((p) => p.Type.startsWith('AWS::SSM::Parameter::Value') && p.Default.startsWith('/consumer/') ? [p.Default] : []);
    expect(read.sort()).toEqual(['/consumer/platform/buckets/dataset/name', '/consumer/platform/import/fsx-lustre', '/consumer/platform/import/network']);
    expect(read.filter((parameter) => !publishedNames.has(parameter))).toEqual([]);
    const imported = [...JSON.stringify(team.TeamFromAttributes).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map(([, exportName]) => exportName);
    // (Fn::ImportValue is inlined where a value is used: handles the team's resources never use leave no import.)
    expect(new Set(imported)).toEqual(new Set(['VpcId', 'TrainingSubnetIds', 'TrainingSecurityGroupId', 'EndpointSecurityGroupId', 'S3PrefixListId',
      'LustreFileSystemId', 'LustreMountName', 'LustreSecurityGroupId', 'LustreSubnetId', 'DatasetBucketName'].map((handle) => `ConsumerPlatform-${handle}`)));
    expect(imported.filter((exportName) => !exportedNames.has(exportName))).toEqual([]);
    expect(await lint(team)).toEqual([]);
  }, 600_000);
});
