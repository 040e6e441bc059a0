import { DeleteObjectCommand, DeleteObjectTaggingCommand, PutObjectCommand, GetObjectTaggingCommand, PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { ConversionFailureCode, DATASET_CONVERSION_FAILED, DATASET_CONVERTED, INGESTION_ENV, TOO_LARGE_REASON } from '../../contract/ingestion-events';
import { ANNOUNCED_TAG, leaseKey } from '../../lambda/src/aws';
import { parsePointer, uploadVersion, type DatasetPointer } from '../../lambda/src/catalog';
import type { DatasetManifest } from '../../lambda/src/dataset';
import { parseQueueMessage } from '../../lambda/src/ingestion/upload-event';
import { formatBytes } from '../../lambda/src/ingestion/time-budget';
import { crc32c, decodeExample, readTFRecords } from '../../lambda/src/tfrecord';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { jpegBytes, pngBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { useMotoPipeline, type ObservedEvent } from './moto-pipeline';

/** A labeled dataset: `data/<class>/<n>.jpg|png`, small enough to stay fast, split over several 4 KiB shards. */
function datasetZip(classes: Record<string, number>, seed = 0): Buffer {
  const entries: ZipEntrySpec[] = [{ name: 'data/' }, { name: '__MACOSX/._x' }];
  let n = seed * 1000;
  for (const [name, count] of Object.entries(classes)) {
    for (let i = 0; i < count; i++, n++) {
      const image = n % 2 === 0
        ? { name: `data/${name}/${i}.jpg`, data: jpegBytes({ width: 32 + i, height: 24, payloadBytes: 600, seed: n }) }
        : { name: `data/${name}/${i}.png`, data: pngBytes({ width: 16, height: 16 + i, payloadBytes: 600, seed: n }) };
      entries.push({ ...image, method: i % 3 === 0 ? 8 : 0 });
    }
  }
  return buildZip(entries);
}

/** Fifield-style zip bomb: every central-directory record points at one compressed kernel. */
function overlappingZip(): Buffer {
  const kernel = deflateRawSync(Buffer.alloc(256 * 1024));
  return buildZip([
    { name: 'k0.jpg', rawData: kernel, method: 8, uncompressedSize: 256 * 1024, crc32: 0 },
    ...Array.from({ length: 20 }, (_, i) => ({ name: `k${i + 1}.jpg`, aliasOf: 0, method: 8, rawData: kernel, uncompressedSize: 256 * 1024, crc32: 0 })),
  ]);
}

async function streamToArray(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const converted = (events: ObservedEvent[]) => events.filter((e): e is Extract<ObservedEvent, { detailType: 'DatasetConverted' }> => e.detailType === DATASET_CONVERTED);
const failed = (events: ObservedEvent[]) => events.filter((e): e is Extract<ObservedEvent, { detailType: 'DatasetConversionFailed' }> => e.detailType === DATASET_CONVERSION_FAILED);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithTool(MOTO_SERVER, 'ingestion pipeline against moto_server (S3 → EventBridge → SQS → handler → S3 + events)', () => {
  const { pipeline } = useMotoPipeline();

  test('a zip uploaded to uploads/vision/cats/training.zip becomes a verified, versioned TFRecord dataset with manifest, pointer and DatasetConverted', async () => {
    const zip = datasetZip({ cat: 7, dog: 5 });
    await pipeline.upload('uploads/vision/cats/training.zip', zip);
    const started = Date.now();
    const { response } = await pipeline.deliver(pipeline.handler());
    const elapsedMs = Date.now() - started;
    expect(response.batchItemFailures).toEqual([]);

    const pointer = parsePointer((await pipeline.getBuffer('datasets/vision/cats/training/current.json')).toString('utf8'), 'current.json');
    expect(pointer).toMatchObject({ datasetId: 'cats', channel: 'training', source: { bucket: 'platform-uploads', key: 'uploads/vision/cats/training.zip' } });
    const manifest = await pipeline.getJson<DatasetManifest>(pointer.manifestKey);
    expect(manifest).toMatchObject({ labeled: true, classNames: ['cat', 'dog'], records: 12, entries: { total: 14, converted: 12, skipped: 2, rejected: 0 } });
    expect(manifest.source).toMatchObject({ kind: 's3', bucket: 'platform-uploads', key: 'uploads/vision/cats/training.zip', size: zip.length });
    expect(manifest.shards.length).toBeGreaterThan(1);

    // Exactly the version's files: shards, labels.txt, manifest.json, and nothing else.
    expect(await pipeline.listKeys(pointer.prefix)).toEqual(
      [...manifest.shards.map((s) => `${pointer.prefix}${s.name}`), `${pointer.prefix}labels.txt`, `${pointer.prefix}manifest.json`].sort());
    expect((await pipeline.getBuffer(`${pointer.prefix}labels.txt`)).toString()).toBe('cat\ndog\n');

    // Every shard read back from S3 with the TFRecord reader (CRC-checked) and checked against the manifest.
    const labels = new Map<string, number>();
    for (const shard of manifest.shards) {
      const bytes = await streamToArray(await pipeline.getStream(`${pointer.prefix}${shard.name}`));
      expect(bytes.length).toBe(shard.bytes);
      expect(crc32c(bytes).toString(16).padStart(8, '0')).toBe(shard.checksum.value);
      let records = 0;
      for await (const record of readTFRecords((async function* () { yield bytes; })())) {
        const features = decodeExample(record.data);
        const filename = Buffer.from((features['image/filename'] as { bytesList: Uint8Array[] }).bytesList[0]).toString();
        labels.set(filename, Number((features['image/class/label'] as { int64List: bigint[] }).int64List[0]));
        records++;
      }
      expect(records).toBe(shard.records);
    }
    expect(labels.size).toBe(12);
    for (const [filename, label] of labels) expect(label).toBe(filename.startsWith('data/cat/') ? 0 : 1);

    const events = await pipeline.observedEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'cdk-sagemaker-datasets',
      detailType: DATASET_CONVERTED,
      detail: {
        schemaVersion: 1, datasetId: 'cats', channel: 'training', version: pointer.version, current: true,
        datasetBucket: 'platform-datasets',
        manifestUri: `s3://platform-datasets/${pointer.manifestKey}`,
        pointerUri: 's3://platform-datasets/datasets/vision/cats/training/current.json',
        datasetPath: `vision/cats/training/${pointer.version}`,
        counts: { records: 12, shards: manifest.shards.length, classes: 2, entries: 14, skipped: 2, rejected: 0 },
        upload: { bucket: 'platform-uploads', key: 'uploads/vision/cats/training.zip', size: zip.length },
      },
    });
    // On the platform bus only: nothing on the account's default bus, where anyone could read or forge it.
    expect(await pipeline.eventsOnDefaultBus()).toEqual([]);
    expect(await pipeline.incompleteMultipartUploads()).toBe(0);
    console.log(`moto integration: ${zip.length} B zip, ${manifest.records} records in ${manifest.shards.length} shards; ` +
      `handler ${elapsedMs} ms end to end (converter ${manifest.timing.durationMs} ms)`);
  });

  test('a redelivered message changes nothing and sends no second event', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 3, dog: 3 }));
    const [message] = await pipeline.receive(1);
    const handler = pipeline.handler();
    await pipeline.invoke(handler, [message]);
    const before = await pipeline.objectsWithEtags('datasets/');
    expect(await pipeline.observedEvents()).toHaveLength(1);

    // The same body again (S3/EventBridge at-least-once, or a lost batch response).
    await pipeline.send(message.Body!);
    const { response } = await pipeline.deliver(handler);
    expect(response.batchItemFailures).toEqual([]);
    expect(pipeline.outcomes.at(-1)).toMatchObject({ kind: 'already-converted', current: true, announced: false });
    expect(await pipeline.objectsWithEtags('datasets/')).toEqual(before);
    expect(await pipeline.observedEvents()).toEqual([]);
  });

  test('a version whose manifest exists but whose pointer and event were lost is completed, not converted again', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 2, dog: 2 }));
    const [message] = await pipeline.receive(1);
    await pipeline.invoke(pipeline.handler(), [message]);
    const pointer = await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json');
    await pipeline.observedEvents();
    // Simulate a crash after the manifest: no pointer, no announcement tag.
    await pipeline.s3.send(new DeleteObjectCommand({ Bucket: pipeline.datasetBucket, Key: 'datasets/vision/cats/training/current.json' }));
    await pipeline.s3.send(new DeleteObjectTaggingCommand({ Bucket: pipeline.datasetBucket, Key: pointer.manifestKey }));
    const shardsBefore = await pipeline.objectsWithEtags(pointer.prefix);

    await pipeline.send(message.Body!);
    await pipeline.deliver(pipeline.handler());
    expect(pipeline.outcomes.at(-1)).toMatchObject({ kind: 'already-converted', current: true, announced: true });
    expect(await pipeline.objectsWithEtags(pointer.prefix)).toEqual(shardsBefore);
    expect((await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json')).version).toBe(pointer.version);
    expect(converted(await pipeline.observedEvents()).map((e) => e.detail.version)).toEqual([pointer.version]);
    const tags = await pipeline.s3.send(new GetObjectTaggingCommand({ Bucket: pipeline.datasetBucket, Key: pointer.manifestKey }));
    expect(tags.TagSet).toEqual([{ Key: ANNOUNCED_TAG, Value: 'true' }]);
  });

  test('a version held by another delivery (lease) is left alone and the message returned; an expired lease means its holder died (out of memory or time): reported once, not converted again', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 2, dog: 2 }));
    const [message] = await pipeline.receive(1);
    const parsed = parseQueueMessage(message.Body!);
    if (parsed.kind !== 'uploads') throw new Error('expected an upload');
    const version = uploadVersion(parsed.notices[0].upload);
    const key = leaseKey({ tenant: 'vision', datasetId: 'cats', channel: 'training' }, version);
    expect(key).toBe(`ingestion-leases/vision/cats/training/${version}.json`);
    const putLease = (expiresAt: Date) => pipeline.s3.send(new PutObjectCommand({ Bucket: pipeline.datasetBucket, Key: key, Body: JSON.stringify({ owner: 'other-request/other-message', expiresAt: expiresAt.toISOString() }) }));

    await putLease(new Date(Date.now() + 60_000));
    const busy = await pipeline.invoke(pipeline.handler(), [message], { receiveCount: 5 });
    expect(busy.batchItemFailures).toEqual([{ itemIdentifier: message.MessageId }]);
    expect(await pipeline.dataKeys()).toEqual([]);
    expect(await pipeline.observedEvents()).toEqual([]); // not even on the last attempt: the holder reports

    // The holder died mid-conversion: its lease expired, a partial shard is left behind.
    await putLease(new Date(Date.now() - 1_000));
    await pipeline.s3.send(new PutObjectCommand({ Bucket: pipeline.datasetBucket, Key: `datasets/vision/cats/training/${version}/training-00000-of-00001.tfrecord`, Body: 'partial' }));
    const [again] = await pipeline.receive(1);
    expect((await pipeline.invoke(pipeline.handler(), [again], { receiveCount: 2 })).batchItemFailures).toEqual([]); // consumed, not retried
    const events = await pipeline.observedEvents();
    expect(converted(events)).toEqual([]);
    expect(events).toEqual([expect.objectContaining({
      detailType: DATASET_CONVERSION_FAILED,
      detail: expect.objectContaining({ code: 'conversion-crashed', reason: 'the conversion ran out of memory or time', message: expect.stringMatching(/other-request\/other-message.*ran out of memory or time.*not converted again/) }),
    })]);
    expect(await pipeline.dataKeys()).toEqual([]);
    expect(await pipeline.listKeys('ingestion-leases/')).toEqual([]); // released
  });

  test('FSx for Lustre: current.json moves only after the version\'s import task SUCCEEDED; a FAILED import is not-visible-on-file-system and no pointer', async () => {
    const seen: { operation: string; pointerExisted: boolean; manifestExisted: boolean; paths?: unknown }[] = [];
    const fakeFsx = (final: 'SUCCEEDED' | 'FAILED') => ({
      send: async (command: { input: { Paths?: string[] } }) => {
        const keys = await pipeline.listKeys('datasets/vision/cats/training/');
        seen.push({ operation: command.constructor.name, pointerExisted: keys.includes('datasets/vision/cats/training/current.json'), manifestExisted: keys.some((k) => k.endsWith('/manifest.json')), paths: command.input.Paths });
        return command.constructor.name === 'CreateDataRepositoryTaskCommand'
          ? { DataRepositoryTask: { TaskId: 'task-0123456789abcdef0' } }
          : { DataRepositoryTasks: [{ TaskId: 'task-0123456789abcdef0', Lifecycle: final, FailureDetails: final === 'FAILED' ? { Message: 'S3ObjectNotFound' } : undefined }] };
      },
    }) as never;
    const env = { [INGESTION_ENV.LUSTRE_FILE_SYSTEM_ID]: 'fs-0123456789abcdef0' };

    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 2, dog: 2 }));
    await pipeline.deliver(pipeline.handler(env, undefined, fakeFsx('SUCCEEDED')));
    const pointer = await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json');
    expect(seen).toEqual([
      { operation: 'CreateDataRepositoryTaskCommand', pointerExisted: false, manifestExisted: true, paths: [`s3://platform-datasets/${pointer.prefix}`] },
      { operation: 'DescribeDataRepositoryTasksCommand', pointerExisted: false, manifestExisted: true, paths: undefined },
    ]);
    expect(converted(await pipeline.observedEvents())).toHaveLength(1);

    seen.length = 0;
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 3, dog: 3 }));
    const { response } = await pipeline.deliver(pipeline.handler(env, undefined, fakeFsx('FAILED')));
    expect(response.batchItemFailures).toEqual([]);
    expect((await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json')).version).toBe(pointer.version); // unchanged
    const events = await pipeline.observedEvents();
    expect(converted(events)).toEqual([]);
    expect(failed(events)).toEqual([expect.objectContaining({ detail: expect.objectContaining({ code: 'not-visible-on-file-system', problem: 'import-failed', message: expect.stringMatching(/ended FAILED: S3ObjectNotFound/) }) })]);
  });

  test('FSx for Lustre: the import wait ends before the invocation does; a timeout is not-visible-on-file-system, reported, and no pointer', async () => {
    const stuck = {
      send: async (command: object) => command.constructor.name === 'CreateDataRepositoryTaskCommand'
        ? { DataRepositoryTask: { TaskId: 'task-0123456789abcdef0' } }
        : { DataRepositoryTasks: [{ TaskId: 'task-0123456789abcdef0', Lifecycle: 'EXECUTING' }] },
    } as never;
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 2, dog: 2 }));
    const messages = await pipeline.receive(1);
    // 40 s left after the first reading: enough to convert, 10 s for the import after the 30 s reserve.
    const { batchItemFailures } = await pipeline.invoke(pipeline.handler({ [INGESTION_ENV.LUSTRE_FILE_SYSTEM_ID]: 'fs-0123456789abcdef0' }, undefined, stuck), messages, { remainingLaterMs: 40_000 });
    expect(batchItemFailures).toEqual([]);
    expect(await pipeline.listKeys('datasets/vision/cats/training/current.json')).toEqual([]);
    const [event] = failed(await pipeline.observedEvents());
    expect(event.detail).toMatchObject({ code: 'not-visible-on-file-system', problem: 'import-timeout', message: expect.stringMatching(/within the 10 s left of this invocation/) });
  });

  test('two deliveries of one upload at the same time produce one complete version and one event', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 4, dog: 4 }));
    const [message] = await pipeline.receive(1);
    await pipeline.send(message.Body!);
    const [duplicate] = await pipeline.receive(1);
    const handler = pipeline.handler();
    const responses = await Promise.all([pipeline.invoke(handler, [message]), pipeline.invoke(handler, [duplicate])]);
    const returned = responses.flatMap((r) => r.batchItemFailures);
    expect(returned.length).toBeLessThanOrEqual(1);
    if (returned.length === 1) {
      const [retry] = await pipeline.receive(1);
      expect((await pipeline.invoke(handler, [retry])).batchItemFailures).toEqual([]);
    }
    const pointer = await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json');
    const manifest = await pipeline.getJson<DatasetManifest>(pointer.manifestKey);
    expect(await pipeline.listKeys(pointer.prefix)).toEqual(
      [...manifest.shards.map((sh) => `${pointer.prefix}${sh.name}`), `${pointer.prefix}labels.txt`, `${pointer.prefix}manifest.json`].sort());
    for (const shard of manifest.shards) {
      expect(crc32c(await pipeline.getBuffer(`${pointer.prefix}${shard.name}`)).toString(16).padStart(8, '0')).toBe(shard.checksum.value);
    }
    expect(converted(await pipeline.observedEvents())).toHaveLength(1);
  });

  test('a newer upload of the same key becomes a new version and moves the pointer', async () => {
    const handler = pipeline.handler();
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 2, dog: 2 }));
    await pipeline.deliver(handler);
    const first = await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json');
    await sleep(1_100); // moto's EventBridge time has one-second resolution and a fixed sequencer
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 3, dog: 3, bird: 1 }, 1));
    await pipeline.deliver(handler);

    const second = await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json');
    expect(second.version).not.toBe(first.version);
    expect(second.version > first.version).toBe(true);
    expect((await pipeline.getJson<DatasetManifest>(second.manifestKey)).classNames).toEqual(['bird', 'cat', 'dog']);
    // The old version stays complete (readers that pinned it keep working).
    expect(await pipeline.listKeys(first.manifestKey)).toEqual([first.manifestKey]);
    expect(converted(await pipeline.observedEvents()).map((e) => [e.detail.version, e.detail.current])).toEqual([[first.version, true], [second.version, true]]);
  });

  test('an older upload that finishes late never moves the pointer backwards', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 2, dog: 2 }));
    await sleep(1_100);
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 4, dog: 4 }, 1));
    const messages = await pipeline.receive(2);
    const times = messages.map((m) => JSON.parse(m.Body!).time as string);
    const [older, newer] = times[0] < times[1] ? messages : [messages[1], messages[0]];
    const handler = pipeline.handler();

    await pipeline.invoke(handler, [newer]);
    const current = await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json');
    await pipeline.invoke(handler, [older]);

    expect((await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json')).version).toBe(current.version);
    const events = converted(await pipeline.observedEvents());
    expect(events.map((e) => e.detail.current)).toEqual([true, false]);
    expect(events[1].detail.version < current.version).toBe(true);
    // The late version is complete in its own folder, just not current.
    expect(await pipeline.listKeys(events[1].detail.prefix)).toContain(`${events[1].detail.prefix}manifest.json`);
  });

  test('a hostile zip (overlapping entries) ends in DatasetConversionFailed and no dataset', async () => {
    await pipeline.upload('uploads/vision/bomb/training.zip', overlappingZip());
    const { response } = await pipeline.deliver(pipeline.handler());
    expect(response.batchItemFailures).toEqual([]); // consumed: retrying cannot help
    expect(await pipeline.dataKeys()).toEqual([]);
    const [event] = failed(await pipeline.observedEvents());
    expect(event).toMatchObject({
      detailType: DATASET_CONVERSION_FAILED,
      detail: { datasetId: 'bomb', channel: 'training', code: ConversionFailureCode.INVALID_ZIP, reason: 'unreadable or unsafe zip', problem: 'overlapping-entries', attempts: 1 },
    });
    expect(event.detail.message).toMatch(/overlapping entries/);
  });

  test('rejected entries in a late shard fail the dataset: shards already written are deleted, the event lists the entries', async () => {
    const zip = datasetZip({ cat: 6, dog: 6 });
    // Break the CRC of the last image (in the last shard the converter writes).
    const broken = buildZip([
      ...[...Array(6).keys()].map((i) => ({ name: `data/cat/${i}.jpg`, data: jpegBytes({ width: 8, height: 8, payloadBytes: 900, seed: i }) })),
      { name: 'data/dog/0.jpg', data: jpegBytes({ width: 8, height: 8, payloadBytes: 900, seed: 99 }), crc32: 0xdeadbeef },
    ]);
    expect(zip.length).toBeGreaterThan(0);
    await pipeline.upload('uploads/vision/broken/training.zip', broken);
    const { response } = await pipeline.deliver(pipeline.handler({ [INGESTION_ENV.CONVERSION_OPTIONS]: JSON.stringify({ targetShardBytes: 1024 }) }));
    expect(response.batchItemFailures).toEqual([]);
    expect(await pipeline.dataKeys()).toEqual([]);
    expect(await pipeline.incompleteMultipartUploads()).toBe(0);
    const [event] = failed(await pipeline.observedEvents());
    expect(event.detail).toMatchObject({
      code: ConversionFailureCode.INVALID_DATASET, problem: 'rejected-entries', rejectedCount: 1,
      rejected: [{ name: 'data/dog/0.jpg', reason: 'crc-mismatch' }],
    });
  });

  test('a batch with one poison message: the others succeed, only the poison one is returned', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 2, dog: 2 }));
    await pipeline.upload('uploads/vision/bomb/training.zip', overlappingZip());
    await pipeline.send('{"not": "an S3 event"}');
    await pipeline.upload('uploads/vision/dogs/validation.zip', datasetZip({ small: 2, large: 2 }));
    const messages = await pipeline.receive(4);
    const poison = messages.find((m) => m.Body === '{"not": "an S3 event"}')!;

    const response = await pipeline.invoke(pipeline.handler(), messages);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.MessageId }]);
    expect((await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json')).datasetId).toBe('cats');
    expect((await pipeline.getJson<DatasetPointer>('datasets/vision/dogs/validation/current.json')).channel).toBe('validation');
    const events = await pipeline.observedEvents();
    expect(converted(events).map((e) => e.detail.datasetId).sort()).toEqual(['cats', 'dogs']);
    expect(failed(events).map((e) => e.detail.datasetId)).toEqual(['bomb']);
    // The poison message is still on the queue for its next receive (and the DLQ after maxReceiveCount).
    expect((await pipeline.receive(1))[0].Body).toBe(poison.Body);
  });

  test('a zip above the single-function limit fails cleanly with "too large for single-function conversion"', async () => {
    const zip = datasetZip({ cat: 2, dog: 2 });
    await pipeline.upload('uploads/vision/huge/training.zip', zip);
    const { response } = await pipeline.deliver(pipeline.handler({ [INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES]: '1024' }));
    expect(response.batchItemFailures).toEqual([]);
    expect(await pipeline.dataKeys()).toEqual([]);
    const [event] = failed(await pipeline.observedEvents());
    expect(event.detail).toMatchObject({ datasetId: 'huge', code: ConversionFailureCode.TOO_LARGE, reason: TOO_LARGE_REASON, upload: { size: zip.length } });
    expect(event.detail.message).toMatch(/above the single-function limit of 1\.0 KiB \(DatasetIngestion prop singleFunctionMaxZipSize\)/);
  });

  test('an upload above maxUploadSize is refused before anything reads it: DatasetConversionFailed (upload-too-large) and a failed status with the code', async () => {
    const zip = datasetZip({ cat: 2, dog: 2 });
    await pipeline.upload('uploads/vision/vast/training.zip', zip);
    const { response } = await pipeline.deliver(pipeline.handler({ [INGESTION_ENV.MAX_UPLOAD_BYTES]: '1024', [INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES]: '512' }));
    expect(response.batchItemFailures).toEqual([]);
    expect(await pipeline.dataKeys()).toEqual([]);
    expect(await pipeline.listKeys('ingestion-leases/')).toEqual([]);
    const events = await pipeline.observedEvents();
    expect(events.map((e) => e.detailType)).toEqual([DATASET_CONVERSION_FAILED]);
    const [event] = failed(events);
    expect(event.detail).toMatchObject({ datasetId: 'vast', channel: 'training', code: ConversionFailureCode.UPLOAD_TOO_LARGE, reason: 'larger than the maximum upload size', upload: { size: zip.length } });
    expect(event.detail.message).toContain(`The upload is ${formatBytes(zip.length)} (${zip.length} bytes), above the maximum upload size of 1.0 KiB (1024 bytes; DatasetIngestion prop maxUploadSize`);
    const status = await pipeline.getJson<{ state: string; code: string; message: string }>('datasets/vision/vast/training/conversion-status.json');
    expect(status).toMatchObject({ state: 'failed', code: 'upload-too-large', message: event.detail.message });
    expect(pipeline.outcomes.at(-1)).toMatchObject({ kind: 'failed', code: ConversionFailureCode.UPLOAD_TOO_LARGE });
  });

  test('an upload event without a size is checked against the object itself', async () => {
    const zip = datasetZip({ cat: 2, dog: 2 });
    await pipeline.upload('uploads/vision/sizeless/training.zip', zip);
    const [message] = await pipeline.receive(1);
    const body = JSON.parse(message.Body!) as { detail: { object: { size?: number } } };
    delete body.detail.object.size;
    await pipeline.send(JSON.stringify(body));
    await pipeline.deliver(pipeline.handler({ [INGESTION_ENV.MAX_UPLOAD_BYTES]: '1024' }));
    expect(await pipeline.dataKeys()).toEqual([]);
    const [event] = failed(await pipeline.observedEvents());
    expect(event.detail).toMatchObject({ code: ConversionFailureCode.UPLOAD_TOO_LARGE, upload: { size: zip.length } });
  });

  test('a zip that fits a fresh invocation but not what is left of this one is returned to the queue', async () => {
    await pipeline.upload('uploads/vision/late/training.zip', datasetZip({ cat: 1, dog: 1 }));
    const messages = await pipeline.receive(1);
    // The invocation started with 15 minutes; an earlier message of the batch left 10 s.
    const response = await pipeline.invoke(pipeline.handler(), messages, { remainingMs: 900_000, remainingLaterMs: 10_000 });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0].MessageId }]);
    expect(await pipeline.observedEvents()).toEqual([]);
    expect(await pipeline.dataKeys()).toEqual([]);
  });

  test('upload keys outside the layout end in DatasetConversionFailed without a dataset id', async () => {
    await pipeline.upload('uploads/vision/a/b/c.zip', datasetZip({ cat: 1, dog: 1 }));
    await pipeline.deliver(pipeline.handler());
    const [event] = failed(await pipeline.observedEvents());
    expect(event.detail).toMatchObject({ code: ConversionFailureCode.INVALID_UPLOAD_KEY, upload: { key: 'uploads/vision/a/b/c.zip' } });
    expect(event.detail).not.toHaveProperty('datasetId');
  });

  test('an upload deleted before conversion ends in DatasetConversionFailed (upload-changed)', async () => {
    const versionId = await pipeline.upload('uploads/vision/gone/training.zip', datasetZip({ cat: 1, dog: 1 }));
    await pipeline.s3.send(new DeleteObjectCommand({ Bucket: pipeline.uploadBucket, Key: 'uploads/vision/gone/training.zip', VersionId: versionId }));
    await pipeline.deliver(pipeline.handler());
    const [event] = failed(await pipeline.observedEvents());
    expect(event.detail).toMatchObject({ datasetId: 'gone', code: ConversionFailureCode.UPLOAD_CHANGED });
    expect(await pipeline.dataKeys()).toEqual([]);
  });

  test('a transient failure is retried; on the last attempt it also sends DatasetConversionFailed (retries-exhausted)', async () => {
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 1, dog: 1 }));
    const broken = pipeline.handler({ [INGESTION_ENV.DATASET_BUCKET]: 'no-such-bucket' });
    const messages = await pipeline.receive(1);
    expect((await pipeline.invoke(broken, messages, { receiveCount: 1 })).batchItemFailures).toHaveLength(1);
    expect(await pipeline.observedEvents()).toEqual([]);
    expect((await pipeline.invoke(broken, messages, { receiveCount: 5 })).batchItemFailures).toHaveLength(1);
    const [event] = failed(await pipeline.observedEvents());
    expect(event.detail).toMatchObject({ datasetId: 'cats', code: ConversionFailureCode.RETRIES_EXHAUSTED, attempts: 5 });
    expect(event.detail.message).toMatch(/Attempt 5 of 5 failed: NoSuchBucket/);
  });

  test('direct S3 → SQS notifications (the option) are decoded, and s3:TestEvent is ignored', async () => {
    await pipeline.s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: pipeline.uploadBucket,
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: pipeline.ingestQueueArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }, { Name: 'suffix', Value: '.zip' }] } } }],
      },
    }));
    const testEvent = await pipeline.receive(1); // moto sends s3:TestEvent when the configuration is saved
    expect(JSON.parse(testEvent[0].Body!).Event).toBe('s3:TestEvent');
    expect((await pipeline.invoke(pipeline.handler(), testEvent)).batchItemFailures).toEqual([]);

    await pipeline.upload('uploads/vision/cats/validation.zip', datasetZip({ cat: 1, dog: 1 }));
    const [message] = await pipeline.receive(1);
    expect(JSON.parse(message.Body!).Records[0].s3.object.key).toBe('uploads%2Fvision%2Fcats%2Fvalidation.zip'); // moto encodes '/'
    await pipeline.invoke(pipeline.handler(), [message]);
    expect((await pipeline.getJson<DatasetPointer>('datasets/vision/cats/validation/current.json')).source.key).toBe('uploads/vision/cats/validation.zip');
    expect(converted(await pipeline.observedEvents())).toHaveLength(1);
  });

  test('with EFS, the version is also written below the mount, flushed, and its pointer moved; a lost EFS copy is restored from S3', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'efs-mount-'));
    try {
      const handler = pipeline.handler({}, { mountPath: mount, rootDirectory: '/datasets' });
      await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 2, dog: 2 }));
      const [message] = await pipeline.receive(1);
      await pipeline.invoke(handler, [message]);
      const pointer = await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json');
      const versionDir = join(mount, 'vision', 'cats', 'training', pointer.version);
      const manifest = await pipeline.getJson<DatasetManifest>(pointer.manifestKey);
      const expectFiles = async () => {
        expect(readdirSync(versionDir).sort()).toEqual([...manifest.shards.map((s) => s.name), 'labels.txt', 'manifest.json'].sort());
        for (const shard of manifest.shards) {
          expect(readFileSync(join(versionDir, shard.name)).equals(await pipeline.getBuffer(`${pointer.prefix}${shard.name}`))).toBe(true);
        }
        expect(parsePointer(readFileSync(join(mount, 'vision', 'cats', 'training', 'current.json'), 'utf8'), 'efs').version).toBe(pointer.version);
      };
      await expectFiles();
      const [event] = converted(await pipeline.observedEvents());
      expect(event.detail.efsDirectoryPath).toBe(`/datasets/vision/cats/training/${pointer.version}`);

      rmSync(versionDir, { recursive: true });
      await pipeline.send(message.Body!);
      await pipeline.deliver(handler);
      await expectFiles();
      expect(await pipeline.observedEvents()).toEqual([]);

      // A copy cut short (the manifest is there, a shard is not whole) counts as incomplete and is copied again.
      truncateSync(join(versionDir, manifest.shards[0].name), 10);
      await pipeline.send(message.Body!);
      await pipeline.deliver(handler);
      await expectFiles();
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });

  test('a validation split on S3 and EFS: training/ and validation/ with their shards and labels.txt, one manifest, one pointer; a lost validation/ folder on EFS is restored from S3', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'efs-mount-'));
    try {
      const handler = pipeline.handler({ [INGESTION_ENV.CONVERSION_OPTIONS]: JSON.stringify({ validationFraction: 0.25 }) }, { mountPath: mount, rootDirectory: '/datasets' });
      await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 8, dog: 4 }));
      const [message] = await pipeline.receive(1);
      await pipeline.invoke(handler, [message]);
      const pointer = await pipeline.getJson<DatasetPointer>('datasets/vision/cats/training/current.json');
      const manifest = await pipeline.getJson<DatasetManifest>(pointer.manifestKey);
      expect(manifest.split).toMatchObject({ fraction: 0.25, training: { records: 9 }, validation: { records: 3, classes: [expect.objectContaining({ records: 2 }), expect.objectContaining({ records: 1 })] } });
      const expected = [...manifest.shards.map((s) => s.name), 'labels.txt', 'training/labels.txt', 'validation/labels.txt', 'manifest.json'].sort();
      expect((await pipeline.listKeys(pointer.prefix)).map((k) => k.slice(pointer.prefix.length)).sort()).toEqual(expected);
      const versionDir = join(mount, 'vision', 'cats', 'training', pointer.version);
      const onEfs = () => readdirSync(versionDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(versionDir.length + 1)).sort();
      const expectEfs = async () => {
        expect(onEfs()).toEqual(expected);
        for (const name of expected.filter((n) => n !== 'manifest.json')) expect(readFileSync(join(versionDir, name)).equals(await pipeline.getBuffer(`${pointer.prefix}${name}`))).toBe(true);
      };
      await expectEfs();
      expect(converted(await pipeline.observedEvents())).toHaveLength(1);

      rmSync(join(versionDir, 'validation'), { recursive: true });
      await pipeline.send(message.Body!);
      await pipeline.deliver(handler);
      await expectEfs();
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });
});
