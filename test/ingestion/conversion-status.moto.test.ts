import { deflateRawSync } from 'node:zlib';
import { ConversionState, DATASET_CONVERSION_STARTED, type ConversionStatusDocument } from '../../contract/ingestion-events';
import { S3ObjectStore } from '../../lambda/src/api/aws-adapters';
import { DatasetOperations } from '../../lambda/src/api/datasets';
import type { ApiConfig } from '../../lambda/src/api/config';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { jpegBytes } from '../support/images';
import { buildZip } from '../support/zip-builder';
import { useMotoPipeline } from './moto-pipeline';

const STATUS_KEY = 'datasets/vision/cats/training/conversion-status.json';

function imagesZip(count: number): Buffer {
  return buildZip(Array.from({ length: count }, (_, i) => ({ name: `data/${i % 2 ? 'cat' : 'dog'}/${i}.jpg`, data: jpegBytes({ width: 20, height: 20, payloadBytes: 4000, seed: i }) })));
}

function overlappingZip(): Buffer {
  const kernel = deflateRawSync(Buffer.alloc(64 * 1024));
  return buildZip([
    { name: 'k0.jpg', rawData: kernel, method: 8, uncompressedSize: 64 * 1024, crc32: 0 },
    ...Array.from({ length: 5 }, (_, i) => ({ name: `k${i + 1}.jpg`, aliasOf: 0, method: 8, rawData: kernel, uncompressedSize: 64 * 1024, crc32: 0 })),
  ]);
}

describeWithTool(MOTO_SERVER, 'conversion status and progress against moto_server (events + conversion-status.json + the API listing)', () => {
  const { pipeline } = useMotoPipeline();
  let api: DatasetOperations;

  beforeEach(() => {
    const config = { uploadBucket: 'platform-uploads', datasetBucket: 'platform-datasets' } as ApiConfig;
    api = new DatasetOperations(config, new S3ObjectStore(pipeline.s3));
  });

  const channel = async () => (await api.list('vision')).datasets.find((d) => d.datasetId === 'cats')!.channels.find((c) => c.channel === 'training')!;

  test('a conversion sends DatasetConversionStarted, progress within the throttle, and the listing goes converting → ready', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', imagesZip(60));
    expect(await channel()).toMatchObject({ status: 'converting' });
    expect((await channel()).progress).toBeUndefined();

    const { response } = await pipeline.deliver(pipeline.handler({}, undefined, undefined, 1));
    expect(response.batchItemFailures).toEqual([]);

    const events = await pipeline.progressEvents();
    expect(events[0]).toMatchObject({
      detailType: DATASET_CONVERSION_STARTED,
      detail: { schemaVersion: 1, tenant: 'vision', datasetId: 'cats', channel: 'training', route: 'single-function', upload: { key: 'uploads/vision/cats/training.zip' } },
    });
    const progress = events.slice(1).map((e) => e.detail.progress!);
    expect(events.slice(1).every((e) => e.detail.unit === 'bytes' && e.detail.version === events[0].detail.version)).toBe(true);
    expect(progress.length).toBeLessThanOrEqual(9);
    for (let i = 1; i < progress.length; i++) expect(progress[i] - progress[i - 1]).toBeGreaterThanOrEqual(0.1 - 1e-9);

    const status = await pipeline.getJson<ConversionStatusDocument>(STATUS_KEY);
    expect(status).toMatchObject({ version: events[0].detail.version, state: ConversionState.CONVERTED });
    expect(await channel()).toMatchObject({ status: 'ready', currentVersion: events[0].detail.version });
  });

  test('a failed conversion shows as failed with its reason in the listing, while the previous version stays current', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', imagesZip(4));
    await pipeline.deliver(pipeline.handler());
    const good = (await channel()).currentVersion;
    expect(good).toBeDefined();

    await pipeline.upload('uploads/vision/cats/training.zip', overlappingZip());
    await pipeline.deliver(pipeline.handler());
    const summary = await channel();
    expect(summary).toMatchObject({ status: 'failed', currentVersion: good });
    expect(summary.reason).toMatch(/^unreadable or unsafe zip \(invalid-zip\): .*overlap/);
    expect(await pipeline.getJson<ConversionStatusDocument>(STATUS_KEY)).toMatchObject({ state: ConversionState.FAILED, code: 'invalid-zip' });

    // Uploading a good zip again: converting, then ready.
    await pipeline.upload('uploads/vision/cats/training.zip', imagesZip(6));
    expect(await channel()).toMatchObject({ status: 'converting' });
    await pipeline.deliver(pipeline.handler());
    expect(await channel()).toMatchObject({ status: 'ready' });
    expect((await channel()).currentVersion).not.toBe(good);
  });

  test('a status write that fails never fails the conversion', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', imagesZip(4));
    const handler = pipeline.handler();
    const original = pipeline.s3.send.bind(pipeline.s3);
    const s3 = pipeline.s3 as unknown as { send: (command: { input: { Key?: string } }) => Promise<unknown> };
    s3.send = async (command) => {
      if (command.input.Key?.endsWith('conversion-status.json')) throw Object.assign(new Error('Access Denied (simulated)'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      return original(command as never);
    };
    try {
      const { response } = await pipeline.deliver(handler);
      expect(response.batchItemFailures).toEqual([]);
    } finally {
      s3.send = original as never;
    }
    expect(pipeline.outcomes.at(-1)).toMatchObject({ kind: 'converted' });
  });
});
