import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { LaunchPort } from '../../lambda/src/api/ports';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { useMotoServer } from '../support/moto-server';
import { API_CONFIG, ApiHarness, TENANTS } from './support/api-harness';
import { assertBundleExists, hasScript, runCli, runCliOnTerminal, startCli, userEnvironment } from './support/cli-runner';
import { LocalApiServer, LocalIdentity } from './support/local-api-server';

const MiB = 1024 * 1024;
const ALICE: LocalIdentity = { accessKeyId: 'AKIAALPHAALICE000001', secretAccessKey: 'alpha-secret', principalArn: TENANTS.alpha.session };
const BOB: LocalIdentity = { accessKeyId: 'AKIABETABOB000000001', secretAccessKey: 'beta-secret', principalArn: TENANTS.beta.session };

/** A file that starts like a zip: `size` bytes of a cheap pseudo-random pattern. */
function zipLikeFile(path: string, size: number): string {
  const data = Buffer.allocUnsafe(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    data.writeUInt32LE(x >>> 0, i);
  }
  data.writeUInt32LE(0x04034b50, 0);
  writeFileSync(path, data);
  return createHash('sha256').update(data).digest('hex');
}

const refuseLaunch: LaunchPort = { launch: async () => { throw new Error('not used here'); } };

describeWithTool(MOTO_SERVER, 'the CLI against a local API Gateway stand-in over the real handlers and moto_server', () => {
  const moto = useMotoServer();
  let api: ApiHarness;
  let server: LocalApiServer;
  let home: string;
  let alice: NodeJS.ProcessEnv;
  let bob: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertBundleExists();
    await moto.reset();
    api = new ApiHarness(moto.s3Config(), moto.config(), refuseLaunch);
    await api.createBuckets();
    server = new LocalApiServer(api.service, [ALICE, BOB]);
    await server.start();
    home = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
    alice = userEnvironment(ALICE, join(home, 'alice'));
    bob = userEnvironment(BOB, join(home, 'bob'));
    for (const env of [alice, bob]) {
      const configured = await runCli(['configure', '--endpoint', server.endpoint, '--region', 'us-east-1'], env);
      expect(configured.code).toBe(0);
    }
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('--help lists the platform commands', async () => {
    const help = await runCli(['--help'], alice);
    expect(help.code).toBe(0);
    for (const command of ['configure', 'upload', 'datasets', 'train', 'jobs', 'status', 'stop', 'logs', 'download']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}( |$)`, 'm'));
    }
    expect(help.stdout).toContain('exit status');
  });

  test('requests are signed: a wrong secret is refused by the stand-in like API Gateway (exit 1)', async () => {
    const forged = await runCli(['datasets', '--json'], { ...alice, AWS_SECRET_ACCESS_KEY: 'wrong' });
    expect(forged.code).toBe(1);
    expect(JSON.parse(forged.stdout)).toEqual({ error: { code: 'AccessDenied', message: expect.stringContaining('signature we calculated does not match') } });
  });

  test('uploads 200 MB in parts; killed midway, the same command resumes and completes', async () => {
    const zip = join(home, 'big.zip');
    const digest = zipLikeFile(zip, 200 * MiB);
    const args = ['upload', zip, '--dataset', 'big', '--channel', 'training', '--part-size', '8MiB', '--concurrency', '4', '--json'];
    const stateDir = alice.CDK_SAGEMAKER_DATASETS_STATE_DIR!;
    const first = startCli(args, alice);
    // Kill it hard (no chance to clean up) once some parts are recorded.
    const partsRecorded = () => {
      try {
        const [file] = readdirSync(stateDir).filter((name) => name.endsWith('.json'));
        return file ? Object.keys(JSON.parse(readFileSync(join(stateDir, file), 'utf8')).parts).length : 0;
      } catch {
        return 0;
      }
    };
    while (partsRecorded() < 6) await new Promise((resolve) => setTimeout(resolve, 50));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.code).toBeNull();
    const before = partsRecorded();
    expect(before).toBeGreaterThanOrEqual(6);
    expect(before).toBeLessThan(25);

    const resumed = await runCli(args, alice);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout);
    expect(result).toMatchObject({ datasetId: 'big', channel: 'training', size: 200 * MiB, resumed: true, partCount: 25 });
    console.log(`upload resumed after ${before}/25 parts: ${((200 * MiB - before * 8 * MiB) / MiB / result.seconds).toFixed(1)} MiB/s over the remaining parts`);
    expect(readdirSync(stateDir).filter((name) => name.endsWith('.json'))).toEqual([]);

    const head = await api.s3.send(new HeadObjectCommand({ Bucket: API_CONFIG.uploadBucket, Key: 'uploads/alpha/big/training.zip' }));
    expect(head.ContentLength).toBe(200 * MiB);
    const object = await api.s3.send(new GetObjectCommand({ Bucket: API_CONFIG.uploadBucket, Key: 'uploads/alpha/big/training.zip' }));
    const hash = createHash('sha256');
    for await (const chunk of object.Body as AsyncIterable<Buffer>) hash.update(chunk);
    expect(hash.digest('hex')).toBe(digest);
  }, 240_000);

  test('the size is checked first: a file over the cap is refused before any upload exists', async () => {
    const path = join(home, 'huge.zip');
    zipLikeFile(path, 16);
    truncateSync(path, API_CONFIG.maxUploadBytes + 1);
    const refused = await runCli(['upload', path, '--dataset', 'huge', '--channel', 'training'], alice);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`up to ${API_CONFIG.maxUploadBytes} bytes`);
    const notZip = join(home, 'notes.txt');
    writeFileSync(notZip, 'hello');
    const wrong = await runCli(['upload', notZip, '--dataset', 'x', '--channel', 'training'], alice);
    expect(wrong).toMatchObject({ code: 3, stderr: expect.stringContaining('is not a zip file') });
  });

  (hasScript() ? test : test.skip)('shows a progress bar with MB/s and ETA on a terminal', async () => {
    const path = join(home, 'medium.zip');
    zipLikeFile(path, 24 * MiB);
    const run = await runCliOnTerminal(['upload', path, '--dataset', 'medium', '--channel', 'training', '--part-size', '5MiB', '--concurrency', '1'], alice);
    expect(run.code).toBe(0);
    const screen = run.stdout.replace(/\r\n/g, '\n');
    expect(screen).toContain('uploading 24.0 MiB to medium/training in 5 parts of 5.0 MiB');
    expect(screen).toMatch(/\[#+-*\]\s+\d+%\s+\d\/5 parts\s+[\d.]+ MiB\/24\.0 MiB\s+[\d.]+ (MiB|KiB)\/s\s+ETA \d+:\d\d/);
    expect(screen).toMatch(/100%\s+5\/5 parts/);
    expect(screen).toContain('uploaded 24.0 MiB to medium/training');
  }, 60_000);

  test('one tenant\'s CLI sees nothing of another\'s: datasets, status, logs, download', async () => {
    await api.seedJob('alpha', 'dsp-alpha-e2e-0-aaaa', { sweep: 'e2e', model: Buffer.from('model bytes'), logLines: ['hello from alpha'] });
    const own = await runCli(['datasets', '--json'], alice);
    expect(JSON.parse(own.stdout).datasets.map((dataset: { datasetId: string }) => dataset.datasetId)).toEqual(expect.arrayContaining(['big', 'medium']));
    const other = await runCli(['datasets', '--json'], bob);
    expect(JSON.parse(other.stdout)).toEqual({ tenant: 'beta', datasets: [] });
    for (const args of [['status', 'dsp-alpha-e2e-0-aaaa'], ['logs', 'dsp-alpha-e2e-0-aaaa'], ['stop', 'dsp-alpha-e2e-0-aaaa'], ['download', 'dsp-alpha-e2e-0-aaaa', '--to', join(home, 'steal')]]) {
      const denied = await runCli([...args, '--json'], bob);
      expect({ args, code: denied.code, body: JSON.parse(denied.stdout) }).toEqual({ args, code: 1, body: { error: { code: 'NotFound', message: expect.stringContaining('Tenant beta has no training job') } } });
    }
    const logs = await runCli(['logs', 'dsp-alpha-e2e-0-aaaa'], alice);
    expect(logs.stdout).toMatch(/Z hello from alpha\n$/);
  });
});
