import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConversionFailureCode, DATASET_CONVERSION_FAILED, DATASET_CONVERTED, INGESTION_ENV, TOO_LARGE_REASON } from '../../contract/ingestion-events';
import { parsePointer } from '../../lambda/src/catalog';
import type { DatasetManifest } from '../../lambda/src/dataset';
import { readTFRecordsFromBuffer } from '../../lambda/src/tfrecord';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { buildZip } from '../support/zip-builder';
import { useMotoPipeline } from './moto-pipeline';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'tfrecord', name));
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describeWithTool(MOTO_SERVER, 'ingestion routes each kind of upload by its key (moto_server: S3 → EventBridge → SQS → handler → S3 + events)', () => {
  const { pipeline } = useMotoPipeline();

  test('uploads/<tenant>/<id>/<channel>.files.zip: every file lands at its zip path byte for byte, listed with size and SHA-256', async () => {
    const weights = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 2654435761) >>> 24));
    const files = [
      { name: 'resnet/weights.bin', data: weights, method: 8 },
      { name: 'resnet/config.json', data: Buffer.from('{"depth": 50}') },
      { name: 'EMPTY', data: Buffer.alloc(0) },
    ];
    await pipeline.upload('uploads/vision/cats/pretrained.files.zip', buildZip(files));
    const { response } = await pipeline.deliver(pipeline.handler());
    expect(response.batchItemFailures).toEqual([]);

    const pointer = parsePointer((await pipeline.getBuffer('datasets/vision/cats/pretrained/current.json')).toString('utf8'), 'current.json');
    const manifest = await pipeline.getJson<DatasetManifest>(pointer.manifestKey);
    expect(manifest).toMatchObject({ kind: 'files', records: 0, shards: [], entries: { total: 3, converted: 3, skipped: 0, rejected: 0 } });
    expect(manifest.files).toEqual(files.map((f) => ({ path: f.name, bytes: f.data.length, sha256: sha256(f.data) })));
    expect(await pipeline.listKeys(pointer.prefix)).toEqual([...files.map((f) => `${pointer.prefix}${f.name}`), `${pointer.prefix}manifest.json`].sort());
    for (const f of files) expect((await pipeline.getBuffer(`${pointer.prefix}${f.name}`)).equals(f.data)).toBe(true);

    const [event] = (await pipeline.observedEvents()).filter((e) => e.detailType === DATASET_CONVERTED);
    expect(event).toMatchObject({ detailType: DATASET_CONVERTED, detail: { kind: 'files', channel: 'pretrained', counts: { records: 0, shards: 0, files: 3 } } });
  });

  test('uploads/<tenant>/<id>/<channel>.tfrecord: a TensorFlow-written file is verified and kept identical (the rule matches .tfrecord keys)', async () => {
    const records = fixture('tfx_cifar10_train.tfrecord');
    await pipeline.upload('uploads/vision/cifar/training.tfrecord', records);
    const { response } = await pipeline.deliver(pipeline.handler());
    expect(response.batchItemFailures).toEqual([]);

    const pointer = parsePointer((await pipeline.getBuffer('datasets/vision/cifar/training/current.json')).toString('utf8'), 'current.json');
    const manifest = await pipeline.getJson<DatasetManifest>(pointer.manifestKey);
    const count = readTFRecordsFromBuffer(records).length;
    expect(manifest).toMatchObject({ kind: 'tfrecord', records: count, files: [{ path: 'training.tfrecord', bytes: records.length, sha256: sha256(records), records: count }] });
    expect((await pipeline.getBuffer(`${pointer.prefix}training.tfrecord`)).equals(records)).toBe(true);
    const [event] = (await pipeline.observedEvents()).filter((e) => e.detailType === DATASET_CONVERTED);
    expect(event).toMatchObject({ detailType: DATASET_CONVERTED, detail: { kind: 'tfrecord', counts: { records: count, files: 1 } } });
  });

  test('a zip of TFRecord files with a corrupted record: DatasetConversionFailed names the file and the byte offset; nothing is kept', async () => {
    const broken = Buffer.from(fixture('tfx_cifar10_test.tfrecord'));
    const third = readTFRecordsFromBuffer(broken)[2];
    broken[third.offset + 40] ^= 0x10;
    await pipeline.upload('uploads/vision/cifar/evaluation.tfrecord.zip', buildZip([{ name: 'ok.tfrecord', data: fixture('torchdata_example.tfrecord') }, { name: 'eval/bad.tfrecord', data: broken }]));
    const { response } = await pipeline.deliver(pipeline.handler());
    expect(response.batchItemFailures).toEqual([]);
    expect(await pipeline.dataKeys()).toEqual([]);
    const [event] = (await pipeline.observedEvents()).filter((e) => e.detailType === DATASET_CONVERSION_FAILED);
    expect(event.detail).toMatchObject({
      channel: 'evaluation', code: ConversionFailureCode.INVALID_DATASET,
      rejected: [expect.objectContaining({ name: 'eval/bad.tfrecord', reason: 'corrupt-record', detail: expect.stringContaining(`record 2 at byte offset ${third.offset}: data CRC mismatch`) })],
    });
  });

  // The distributed conversion plans images only: a larger upload of another kind fails once, clearly, and is never handed over.
  test.each([
    ['files', 'uploads/vision/cats/checkpoints.files.zip', () => buildZip([{ name: 'big.bin', data: Buffer.alloc(4096, 7) }])],
    ['tfrecord', 'uploads/vision/cifar/training.tfrecord', () => fixture('tfx_cifar10_test.tfrecord')],
    ['tfrecord', 'uploads/vision/cifar/evaluation.tfrecord.zip', () => buildZip([{ name: 'a.tfrecord', data: fixture('tfx_cifar10_test.tfrecord') }])],
  ])('a %s upload above the single-function limit (%s) fails with the limit named and the single-function-only rule; nothing is kept', async (kind, key, body) => {
    await pipeline.upload(key, body());
    const { response } = await pipeline.deliver(pipeline.handler({ [INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES]: '1024' }));
    expect(response.batchItemFailures).toEqual([]);
    expect(await pipeline.dataKeys()).toEqual([]);
    const failed = (await pipeline.observedEvents()).filter((e) => e.detailType === DATASET_CONVERSION_FAILED);
    expect(failed).toHaveLength(1);
    expect(failed[0].detail).toMatchObject({ code: ConversionFailureCode.TOO_LARGE, reason: TOO_LARGE_REASON });
    const message = (failed[0].detail as { message: string }).message;
    expect(message).toContain("above the single-function limit of 1.0 KiB");
    expect(message).toMatch(/singleFunctionMaxZipSize/);
    expect(message).toContain(`Uploads of kind ${kind} are kept by the single function only`);
  });
});
