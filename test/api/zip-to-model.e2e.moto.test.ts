import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { jpegBytes, pngBytes } from '../support/images';
import { useMotoServer } from '../support/moto-server';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { TENANTS } from './support/api-harness';
import { assertBundleExists, runCli, userEnvironment } from './support/cli-runner';
import { LocalApiServer, LocalIdentity } from './support/local-api-server';
import { LocalPlatform } from './support/local-platform';

const ALICE: LocalIdentity = { accessKeyId: 'AKIAALPHAALICE000002', secretAccessKey: 'alpha-secret', principalArn: TENANTS.alpha.session };

/** A small labeled image zip: `photos/<class>/<n>.jpg|png`. */
function imageZip(classes: Record<string, number>): Buffer {
  const entries: ZipEntrySpec[] = [];
  let n = 0;
  for (const [name, count] of Object.entries(classes)) {
    for (let i = 0; i < count; i++, n++) {
      entries.push(n % 2 === 0
        ? { name: `photos/${name}/${i}.jpg`, data: jpegBytes({ width: 40 + i, height: 30, payloadBytes: 600, seed: n }) }
        : { name: `photos/${name}/${i}.png`, data: pngBytes({ width: 20, height: 20 + i, payloadBytes: 600, seed: n }) });
    }
  }
  return buildZip(entries);
}

/**
 * A user goes from a zip on disk to a finished training job's model on disk with the CLI alone,
 * against the local stand-in: the API Gateway stand-in (SigV4 checked) → the real API handlers
 * (acting with the tenant's access-role session from moto STS) → moto S3; the upload's EventBridge
 * event → the ingestion queue → the real ingestion handler (zip → TFRecord, pointer, status);
 * `train --wait` → the real launcher logic → moto's CreateTrainingJob. moto completes training jobs
 * at once and writes no model, so the stand-in writes model.tar.gz where SageMaker would.
 */
describeWithTool(MOTO_SERVER, 'zip → model end-to-end with the CLI alone against the local stand-in', () => {
  const moto = useMotoServer();
  let platform: LocalPlatform;
  let server: LocalApiServer;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertBundleExists();
    await moto.reset();
    platform = new LocalPlatform(moto.config(), moto.s3Config());
    await platform.create();
    platform.startIngestion();
    server = new LocalApiServer(platform.api.service, [ALICE]);
    await server.start();
    home = mkdtempSync(join(tmpdir(), 'zip-to-model-'));
    env = userEnvironment(ALICE, join(home, 'alice'));
    const configured = await runCli(['configure', '--endpoint', server.endpoint, '--region', 'us-east-1'], env);
    expect(configured.code).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    await platform?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('(configured) upload, datasets, train --wait, status, logs, download: the model lands on disk', async () => {
    const zip = join(home, 'pets.zip');
    writeFileSync(zip, imageZip({ cat: 4, dog: 3 }));
    const uploaded = await runCli(['upload', zip, '--dataset', 'pets', '--channel', 'training', '--json'], env);
    expect(uploaded).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(uploaded.stdout)).toMatchObject({ datasetId: 'pets', channel: 'training' });

    // train --wait waits for the conversion (the stand-in's ingestion handler), launches, and follows the job to the end.
    const trained = await runCli(['train', '--dataset', 'pets', '--channel', 'training', '--image', platform.trainingImage,
      '--instance-type', 'ml.m5.xlarge', '--hp', 'epochs=2', '--client-token', 'pets-run-1', '--wait', '--json'], env);
    expect({ code: trained.code, stderr: trained.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(trained.stdout) as { launch: { outcome: string; jobs: { name: string; datasetVersions: Record<string, string> }[] }; jobs: { name: string; status: string }[] };
    expect(result.launch.outcome).toBe('launched');
    expect(result.jobs).toEqual([expect.objectContaining({ status: 'Completed' })]);
    const job = result.launch.jobs[0].name;
    expect(job).toMatch(/^dsp-alpha-pets-run-1-0-[0-9a-f]{8}$/);
    expect(platform.deliveries).toBeGreaterThanOrEqual(1);

    const datasets = JSON.parse((await runCli(['datasets', '--json'], env)).stdout);
    const channel = datasets.datasets[0].channels[0];
    expect(channel).toMatchObject({ channel: 'training', status: 'ready', currentVersion: result.launch.jobs[0].datasetVersions.training });
    const table = await runCli(['datasets'], env);
    expect(table.stdout).toMatch(/pets\n\s+training\s+ready\s+current v\d{8}T/);

    const status = JSON.parse((await runCli(['status', job, '--json'], env)).stdout);
    expect(status).toMatchObject({ name: job, status: 'Completed', sweep: 'pets-run-1', datasetId: 'pets', hyperparameters: expect.objectContaining({ epochs: '2' }) });
    const logs = await runCli(['logs', job], env);
    expect(logs.stdout).toContain('epoch 2 loss=0.42');

    const out = join(home, 'models');
    const downloaded = await runCli(['download', job, '--to', out, '--json'], env);
    expect({ code: downloaded.code, stderr: downloaded.stderr }).toEqual({ code: 0, stderr: '' });
    const files = readdirSync(out);
    expect(files).toEqual([expect.stringMatching(/model\.tar\.gz$/)]);
    const listing = spawnSync('tar', ['-xzOf', join(out, files[0]), 'model.json']);
    const model = JSON.parse(listing.stdout.toString('utf8'));
    expect(model).toMatchObject({ job, hyperparameters: expect.objectContaining({ epochs: '2' }) });
    // The job read the converted dataset's version the CLI listed (S3 channel below datasets/alpha/pets/training/<version>/).
    expect(model.channels[0].uri).toContain(`/datasets/alpha/pets/training/${channel.currentVersion}/`);
    expect(readFileSync(join(out, files[0])).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  }, 120_000);

  test('a zip that cannot be converted: datasets shows it failed with the converter\'s reason, and train --wait stops there (exit 1)', async () => {
    const bad = join(home, 'broken.zip');
    // A zip whose only entry is not an image.
    writeFileSync(bad, buildZip([{ name: 'notes/readme.txt', data: Buffer.from('no images here') }]));
    const uploaded = await runCli(['upload', bad, '--dataset', 'broken', '--channel', 'training'], env);
    expect(uploaded.code).toBe(0);
    const trained = await runCli(['train', '--dataset', 'broken', '--channel', 'training', '--image', platform.trainingImage,
      '--instance-type', 'ml.m5.xlarge', '--wait'], env);
    expect(trained.code).toBe(1);
    const table = await runCli(['datasets'], env);
    expect(table.stdout).toMatch(/broken\n\s+training\s+failed\s+current -.*\): \S/);
    const listed = JSON.parse((await runCli(['datasets', '--json'], env)).stdout);
    const broken = listed.datasets.find((dataset: { datasetId: string }) => dataset.datasetId === 'broken');
    expect(broken.channels[0]).toMatchObject({ status: 'failed', reason: expect.any(String) });
    await platform.stop();
    expect(platform.pollErrors).toEqual([]);
  }, 120_000);
});
