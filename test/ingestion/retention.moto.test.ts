import { Logger } from '@aws-lambda-powertools/logger';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EfsDatasetStore, S3DatasetStore } from '../../lambda/src/aws';
import { deleteDataset, sweepVersions, type RetentionServices } from '../../lambda/src/ingestion/version-retention';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { useMotoServer } from '../support/moto-server';

const BUCKET = 'platform-datasets';
const UPLOADS = 'platform-uploads';
const DAY = 24 * 3600 * 1000;
const now = new Date('2026-12-03T12:00:00Z');
const v = (daysAgo: number, n: number) => `v${new Date(now.getTime() - daysAgo * DAY).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}-${n.toString(16).padStart(12, '0')}`;
const channel = 'datasets/vision/cats/training/';
const pointer = (version: string) => JSON.stringify({
  schemaVersion: 1, tenant: 'vision', datasetId: 'cats', channel: 'training', version, prefix: `${channel}${version}/`, manifestKey: `${channel}${version}/manifest.json`,
  source: { bucket: 'uploads', key: 'uploads/vision/cats/training.zip', eventTime: '2026-11-01T00:00:00.000Z' }, committedAt: '2026-11-01T00:00:00.000Z',
});

describeWithTool(MOTO_SERVER, 'dataset version retention against moto_server (S3) and a directory standing in for EFS', () => {
  const moto = useMotoServer();
  let s3: S3Client;
  let mount: string;
  let services: RetentionServices;

  const put = (key: string, body = 'x') => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const keys = async (prefix = 'datasets/') => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();
  /** A complete version in S3 and on "EFS". */
  const version = async (name: string, complete = true) => {
    await put(`${channel}${name}/train-00000-of-00001.tfrecord`);
    if (complete) await put(`${channel}${name}/manifest.json`, '{}');
    mkdirSync(join(mount, 'vision/cats/training', name), { recursive: true });
    writeFileSync(join(mount, 'vision/cats/training', name, 'manifest.json'), '{}');
  };

  beforeEach(async () => {
    await moto.reset();
    s3 = new S3Client({ ...moto.s3Config() });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    mount = mkdtempSync(join(tmpdir(), 'efs-retention-'));
    services = {
      s3, datasets: new S3DatasetStore(s3, BUCKET), efs: new EfsDatasetStore({ mountPath: mount, rootDirectory: '/datasets' }),
      logger: new Logger({ logLevel: 'SILENT' }), now: () => now,
    };
  });
  afterEach(() => rmSync(mount, { recursive: true, force: true }));

  test('the sweep deletes old versions from S3 and EFS, keeps the current, the newest N, the young and in-progress ones, and the status file', async () => {
    const [oldest, current, old, newer, newest] = [v(60, 1), v(50, 2), v(40, 3), v(30, 4), v(20, 5)];
    for (const name of [oldest, current, old, newer, newest]) await version(name);
    const inProgress = v(1, 6);
    await version(inProgress, false);
    await put(`${channel}current.json`, pointer(current));
    await put(`${channel}conversion-status.json`, '{}');

    const report = await sweepVersions(services, { keepVersions: 2, keepYoungerThanMs: 7 * DAY, incompleteGraceMs: 2 * DAY });
    expect(report).toMatchObject({ channels: 1, skipped: [], incomplete: false });
    expect(report.removed.map((r) => r.version)).toEqual([oldest, old]);
    expect(await keys()).toEqual([
      `${channel}conversion-status.json`, `${channel}current.json`,
      ...[current, newer, newest].flatMap((n) => [`${channel}${n}/manifest.json`, `${channel}${n}/train-00000-of-00001.tfrecord`]),
      `${channel}${inProgress}/train-00000-of-00001.tfrecord`,
    ].sort());
    expect(existsSync(join(mount, 'vision/cats/training', oldest))).toBe(false);
    expect(existsSync(join(mount, 'vision/cats/training', current))).toBe(true);

    // Running it again changes nothing.
    expect((await sweepVersions(services, { keepVersions: 2, keepYoungerThanMs: 7 * DAY, incompleteGraceMs: 2 * DAY })).removed).toEqual([]);
  });

  test('a channel with a corrupt pointer is left alone', async () => {
    for (const name of [v(60, 1), v(50, 2), v(40, 3)]) await version(name);
    await put(`${channel}current.json`, 'not json');
    const report = await sweepVersions(services, { keepVersions: 1, keepYoungerThanMs: DAY, incompleteGraceMs: DAY });
    expect(report).toMatchObject({ removed: [], skipped: ['vision/cats/training'] });
  });

  test('deleting a whole dataset removes each channel\'s pointer first, then every version of its uploads, then its versions and status, in S3 and on EFS', async () => {
    await version(v(10, 1));
    await put(`${channel}current.json`, pointer(v(10, 1)));
    await put(`${channel}conversion-status.json`, '{}');
    writeFileSync(join(mount, 'vision/cats/training/current.json'), pointer(v(10, 1)));
    await put('datasets/vision/dogs/training/current.json', '{}'); // another dataset stays
    await s3.send(new CreateBucketCommand({ Bucket: UPLOADS }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: UPLOADS, VersioningConfiguration: { Status: 'Enabled' } }));
    const upload = (key: string) => s3.send(new PutObjectCommand({ Bucket: UPLOADS, Key: key, Body: 'zip' }));
    await upload('uploads/vision/cats/training.zip');
    await upload('uploads/vision/cats/training.zip'); // a second version
    await upload('uploads/vision/cats/weights.files.zip');
    await upload('uploads/vision/cats/old.tfrecord');
    await s3.send(new DeleteObjectCommand({ Bucket: UPLOADS, Key: 'uploads/vision/cats/old.tfrecord' })); // a delete marker over a kept version
    for (const other of ['uploads/vision/dogs/training.zip', 'uploads/vision/cats2/training.zip', 'uploads/robotics/cats/training.zip']) await upload(other);

    const deletes: string[] = [];
    const original = s3.send.bind(s3);
    (s3 as unknown as { send: (c: { constructor: { name: string }; input: { Delete?: { Objects: { Key: string }[] } } }) => Promise<unknown> }).send = async (command) => {
      if (command.constructor.name === 'DeleteObjectsCommand') deletes.push(...command.input.Delete!.Objects.map((o) => o.Key));
      return original(command as never);
    };
    const result = await deleteDataset({ ...services, uploadBucket: UPLOADS }, 'vision', 'cats');
    expect(result).toEqual({ channels: ['training'], versions: 1, uploads: 5 }); // training.zip twice, weights.files.zip, old.tfrecord and its delete marker
    expect(deletes[0]).toBe(`${channel}current.json`);
    expect(deletes.slice(1, 6).every((key) => key.startsWith('uploads/vision/cats/'))).toBe(true);
    expect(deletes[6]).toBe(`${channel}${v(10, 1)}/manifest.json`);
    expect(await keys()).toEqual(['datasets/vision/dogs/training/current.json']);
    expect(existsSync(join(mount, 'vision/cats/training'))).toBe(false);
    const left = await original(new ListObjectVersionsCommand({ Bucket: UPLOADS, Prefix: 'uploads/' }));
    expect([...left.Versions ?? [], ...left.DeleteMarkers ?? []].map((o) => o.Key).sort()).toEqual(['uploads/robotics/cats/training.zip', 'uploads/vision/cats2/training.zip', 'uploads/vision/dogs/training.zip']);
    // Again: nothing left to delete, no error.
    expect(await deleteDataset({ ...services, uploadBucket: UPLOADS }, 'vision', 'cats')).toEqual({ channels: [], versions: 0, uploads: 0 });
    await expect(deleteDataset(services, 'vision', '../x')).rejects.toThrow(/Invalid dataset id/);
  });

  test('without the upload bucket, deleting a dataset keeps its uploads', async () => {
    await version(v(10, 1));
    await s3.send(new CreateBucketCommand({ Bucket: UPLOADS }));
    await s3.send(new PutObjectCommand({ Bucket: UPLOADS, Key: 'uploads/vision/cats/training.zip', Body: 'zip' }));
    expect(await deleteDataset(services, 'vision', 'cats')).toEqual({ channels: ['training'], versions: 1, uploads: 0 });
    expect((await s3.send(new ListObjectsV2Command({ Bucket: UPLOADS }))).Contents?.map((o) => o.Key)).toEqual(['uploads/vision/cats/training.zip']);
  });
});
