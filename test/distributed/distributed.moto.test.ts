import { Logger } from '@aws-lambda-powertools/logger';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { deflateRawSync } from 'node:zlib';
import { DATASET_CONVERSION_FAILED, DATASET_CONVERTED, INGESTION_ENV, type DatasetConversionFailedDetail, type DatasetConvertedDetail } from '../../contract/ingestion-events';
import type { DatasetManifest } from '../../lambda/src/dataset';
import { parsePointer, uploadVersion } from '../../lambda/src/catalog';
import { readDistributedConfig, type DistributedConfig } from '../../lambda/src/distributed/config';
import { createDistributedServices } from '../../lambda/src/distributed/create-services';
import { handleDistributedFailure } from '../../lambda/src/distributed/failure-handler';
import { finalizeDistributedConversion } from '../../lambda/src/distributed/finalizer';
import { planDistributedConversion } from '../../lambda/src/distributed/planner';
import type { DistributedServices } from '../../lambda/src/distributed/services';
import { runWorker } from '../../lambda/src/distributed/worker';
import { createIngestionHandler } from '../../lambda/src/ingestion/handler';
import { readHandlerConfig } from '../../lambda/src/ingestion/config';
import { crc32c, readTFRecordsFromBuffer } from '../../lambda/src/tfrecord';
import { MotoPipeline, useMotoPipeline, type ObservedEvent } from '../ingestion/moto-pipeline';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { jpegBytes, pngBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { faultyS3, runStateMachineLocally } from './support/local-state-machine';

const UPLOADS = 'platform-uploads';
const SINGLE = 'datasets-single';
const DISTRIBUTED = 'datasets-distributed';
const KEY = 'uploads/vision/cats/training.zip';
/** Small shards and 3 KiB shuffle runs so a small zip has many shards; items of about two shards. */
const CONVERSION = { targetShardBytes: 6 * 1024, shuffleBlockBytes: 3 * 1024, seed: 11 };
const WORK_ITEM_BYTES = 20 * 1024;

/** Labeled, class by class (like a zipped folder tree), stored and deflated, with OS noise. */
function datasetZip(perClass: Record<string, number>): Buffer {
  const entries: ZipEntrySpec[] = [{ name: 'photos/' }, { name: '__MACOSX/photos/._x.jpg' }, { name: 'photos/.DS_Store', data: Buffer.from('x') }];
  let n = 0;
  for (const [label, count] of Object.entries(perClass)) {
    for (let i = 0; i < count; i++, n++) {
      const data = n % 4 === 3
        ? pngBytes({ width: 16 + i, height: 9, payloadBytes: 700 + (n % 5) * 90, seed: n })
        : jpegBytes({ width: 20 + i, height: 30, payloadBytes: 800 + (n % 7) * 110, seed: n });
      entries.push({ name: `photos/${label}/${String(i).padStart(3, '0')}.${n % 4 === 3 ? 'png' : 'jpg'}`, data, method: n % 3 === 0 ? 8 : 0 });
    }
  }
  return buildZip(entries);
}

function overlappingZip(): Buffer {
  const kernel = deflateRawSync(Buffer.alloc(256 * 1024));
  return buildZip([
    { name: 'k0.jpg', rawData: kernel, method: 8, uncompressedSize: 256 * 1024, crc32: 0 },
    ...Array.from({ length: 20 }, (_, i) => ({ name: `k${i + 1}.jpg`, aliasOf: 0, method: 8, rawData: kernel, uncompressedSize: 256 * 1024, crc32: 0 })),
  ]);
}

const converted = (events: ObservedEvent[]) => events.filter((e) => e.detailType === DATASET_CONVERTED).map((e) => e.detail as DatasetConvertedDetail);
const failedEvents = (events: ObservedEvent[]) => events.filter((e) => e.detailType === DATASET_CONVERSION_FAILED).map((e) => e.detail as DatasetConversionFailedDetail);
const withoutTiming = (m: DatasetManifest) => ({ ...m, timing: undefined });
const silent = () => new Logger({ serviceName: 'distributed-test', logLevel: process.env.INGESTION_TEST_LOGS ? 'DEBUG' : 'SILENT' });
const networkError = () => Object.assign(new Error('socket hang up (simulated)'), { name: 'TimeoutError', $metadata: {} });

describeWithTool(MOTO_SERVER, 'distributed conversion against moto_server: planner + Distributed Map workers + finalizer', () => {
  const { moto, pipeline } = useMotoPipeline({ uploadBucket: UPLOADS, datasetBucket: SINGLE });
  let sfn: SFNClient;
  let stateMachineArn: string;
  let config: DistributedConfig;
  /** The CONVERSION_OPTIONS both paths convert with (a test may switch it before converting). */
  let conversion: object;
  const distributedConfig = () => readDistributedConfig({
    [INGESTION_ENV.DATASET_BUCKET]: DISTRIBUTED,
    [INGESTION_ENV.EVENT_BUS_NAME]: MotoPipeline.PLATFORM_BUS,
    [INGESTION_ENV.CONVERSION_OPTIONS]: JSON.stringify(conversion),
    WORK_ITEM_BYTES: String(WORK_ITEM_BYTES),
  });

  const services = (s3: S3Client = pipeline.s3): DistributedServices => createDistributedServices(config, silent(), { s3, eventBridge: pipeline.events });
  const version = (upload: { versionId?: string; eventTime: string }) => uploadVersion({ bucket: UPLOADS, key: KEY, ...upload });

  beforeEach(async () => {
    await pipeline.s3.send(new CreateBucketCommand({ Bucket: DISTRIBUTED }));
    await pipeline.s3.send(new PutBucketVersioningCommand({ Bucket: DISTRIBUTED, VersioningConfiguration: { Status: 'Enabled' } }));
    sfn = new SFNClient({ ...moto.config() });
    const machine = await sfn.send(new CreateStateMachineCommand({
      name: 'distributed-conversion',
      roleArn: 'arn:aws:iam::123456789012:role/distributed-conversion',
      definition: JSON.stringify({ StartAt: 'Plan', States: { Plan: { Type: 'Pass', End: true } } }),
    }));
    stateMachineArn = machine.stateMachineArn!;
    conversion = CONVERSION;
    config = distributedConfig();
  });

  /** The ingestion handler: single function into `bucket`, or handing off above `maxBytes`. */
  function ingestion(bucket: string, maxBytes?: number) {
    const handlerConfig = readHandlerConfig({
      [INGESTION_ENV.DATASET_BUCKET]: bucket,
      [INGESTION_ENV.EVENT_BUS_NAME]: MotoPipeline.PLATFORM_BUS,
      [INGESTION_ENV.CONVERSION_OPTIONS]: JSON.stringify(conversion),
      ...(maxBytes ? { [INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES]: String(maxBytes), [INGESTION_ENV.DISTRIBUTED_STATE_MACHINE_ARN]: stateMachineArn } : {}),
    });
    return createIngestionHandler({ config: handlerConfig, s3: pipeline.s3, eventBridge: pipeline.events, sfn, logger: silent(), onOutcome: (o) => pipeline.outcomes.push(o) });
  }

  /** Uploads the zip and converts it with the single function into SINGLE; returns the message body for a second delivery. */
  async function convertSingle(zip: Buffer): Promise<string> {
    await pipeline.upload(KEY, zip);
    const [message] = await pipeline.receive(1);
    const response = await pipeline.invoke(ingestion(SINGLE), [message]);
    expect(response.batchItemFailures).toEqual([]);
    return message.Body!;
  }

  /** Delivers the body to an ingestion handler whose threshold sends it to the state machine; returns the execution input. */
  async function handOff(body: string): Promise<object> {
    await pipeline.send(body);
    const [message] = await pipeline.receive(1);
    await pipeline.invoke(ingestion(DISTRIBUTED, 1024), [message]);
    const outcome = pipeline.outcomes.at(-1)!;
    expect(outcome.kind).toBe('handed-off');
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${(outcome as { version: string }).version}` }));
    return JSON.parse(execution.input!);
  }

  async function folder(bucket: string, prefix: string): Promise<Map<string, Buffer>> {
    const keys = await pipeline.listKeys(prefix, bucket);
    return new Map(await Promise.all(keys.map(async (k) => [k.slice(prefix.length), await pipeline.getBuffer(k, bucket)] as [string, Buffer])));
  }

  test('equivalence: the same upload and options give byte-identical shards, labels.txt and manifest (timing aside), the same pointer and DatasetConverted', async () => {
    const zip = datasetZip({ cat: 14, dog: 11, fox: 9 });
    const body = await convertSingle(zip);
    const input = await handOff(body) as { version: string; upload: { versionId?: string; eventTime: string } };
    expect(input).toMatchObject({ schemaVersion: 1, datasetId: 'cats', channel: 'training', upload: { bucket: UPLOADS, key: KEY, size: zip.length } });
    expect(input.version).toBe(version(input.upload));

    const run = await runStateMachineLocally(input, { services: services(), config });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.plan!.itemCount).toBeGreaterThan(2);
    expect(run.plan!.shardCount).toBeGreaterThan(run.plan!.itemCount);
    expect(run.workerOutputs.map((o) => o.item)).toEqual([...Array(run.plan!.itemCount).keys()]);

    const prefix = `datasets/vision/cats/training/${input.version}/`;
    const single = await folder(SINGLE, prefix);
    const parallel = await folder(DISTRIBUTED, prefix);
    expect([...parallel.keys()].sort()).toEqual([...single.keys()].sort());
    const shards = [...single.keys()].filter((k) => k.endsWith('.tfrecord'));
    expect(shards.length).toBe(run.plan!.shardCount);
    for (const name of [...shards, 'labels.txt']) expect(parallel.get(name)!.equals(single.get(name)!)).toBe(true);
    const manifestSingle = JSON.parse(single.get('manifest.json')!.toString()) as DatasetManifest;
    const manifestParallel = JSON.parse(parallel.get('manifest.json')!.toString()) as DatasetManifest;
    expect(withoutTiming(manifestParallel)).toEqual(withoutTiming(manifestSingle));
    expect(manifestParallel.records).toBe(34);
    expect(manifestParallel.classNames).toEqual(['cat', 'dog', 'fox']);
    for (const shard of manifestParallel.shards) {
      const bytes = parallel.get(shard.name)!;
      expect(crc32c(bytes).toString(16).padStart(8, '0')).toBe(shard.checksum.value);
      expect(readTFRecordsFromBuffer(bytes)).toHaveLength(shard.records);
    }

    const pointerOf = async (bucket: string) => parsePointer((await pipeline.getBuffer('datasets/vision/cats/training/current.json', bucket)).toString(), bucket);
    expect({ ...(await pointerOf(DISTRIBUTED)), committedAt: undefined }).toEqual({ ...(await pointerOf(SINGLE)), committedAt: undefined });

    const events = await pipeline.observedEvents();
    const [fromSingle, fromDistributed] = [converted(events).find((d) => d.datasetBucket === SINGLE)!, converted(events).find((d) => d.datasetBucket === DISTRIBUTED)!];
    const comparable = (d: DatasetConvertedDetail) => ({ ...d, datasetBucket: undefined, manifestUri: undefined, pointerUri: undefined, durationMs: undefined });
    expect(comparable(fromDistributed)).toEqual(comparable(fromSingle));
    expect(fromDistributed).toMatchObject({ current: true, manifestUri: `s3://${DISTRIBUTED}/${prefix}manifest.json` });

    // Nothing left behind: no work files, no Map Run results, no incomplete uploads.
    expect(await pipeline.listKeys('ingestion-work/', DISTRIBUTED)).toEqual([]);
    expect(await pipeline.listKeys('ingestion-leases/', DISTRIBUTED)).toEqual([]);
  });

  test('validation split: both paths write the same training/ and validation/ parts, labels and manifest, commit them under one pointer, and leave nothing behind', async () => {
    conversion = { ...CONVERSION, validationFraction: 0.2 };
    config = distributedConfig();
    const zip = datasetZip({ cat: 14, dog: 11, fox: 9, owl: 1 });
    const input = await handOff(await convertSingle(zip)) as { version: string };
    const run = await runStateMachineLocally(input, { services: services(), config });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.plan!.itemCount).toBeGreaterThan(1);

    const prefix = `datasets/vision/cats/training/${input.version}/`;
    const single = await folder(SINGLE, prefix);
    const parallel = await folder(DISTRIBUTED, prefix);
    expect([...parallel.keys()].sort()).toEqual([...single.keys()].sort());
    for (const [name, bytes] of single) if (name !== 'manifest.json') expect(parallel.get(name)!.equals(bytes)).toBe(true);
    const manifest = JSON.parse(parallel.get('manifest.json')!.toString()) as DatasetManifest;
    expect(withoutTiming(manifest)).toEqual(withoutTiming(JSON.parse(single.get('manifest.json')!.toString()) as DatasetManifest));
    // cat 14 × 0.2 = 2.8 → 3, dog 2.2 → 2, fox 1.8 → 2, owl (one image) stays in training.
    expect(manifest.split).toMatchObject({ fraction: 0.2, seed: 11, training: { records: 28 }, validation: { records: 7, classes: [3, 2, 2, 0].map((records) => expect.objectContaining({ records })) } });
    expect([...parallel.keys()].filter((k) => k.startsWith('validation/')).sort()).toEqual(
      ['validation/labels.txt', ...manifest.shards.filter((s) => s.name.startsWith('validation/')).map((s) => s.name)].sort());
    expect([...parallel.keys()].filter((k) => !k.startsWith('training/') && !k.startsWith('validation/')).sort()).toEqual(['labels.txt', 'manifest.json']);

    const pointer = parsePointer((await pipeline.getBuffer('datasets/vision/cats/training/current.json', DISTRIBUTED)).toString(), DISTRIBUTED);
    expect(pointer.version).toBe(input.version);
    expect(converted(await pipeline.observedEvents()).filter((d) => d.datasetBucket === DISTRIBUTED)).toHaveLength(1);
    expect(await pipeline.listKeys('ingestion-work/', DISTRIBUTED)).toEqual([]);
  });

  test('a duplicate hand-off (the upload event delivered again) starts nothing new', async () => {
    const zip = datasetZip({ cat: 3, dog: 3 });
    await pipeline.upload(KEY, zip);
    const [message] = await pipeline.receive(1);
    await pipeline.invoke(ingestion(DISTRIBUTED, 1024), [message]);
    await pipeline.send(message.Body!);
    const { response } = await pipeline.deliver(ingestion(DISTRIBUTED, 1024));
    expect(response.batchItemFailures).toEqual([]);
    expect(pipeline.outcomes.map((o) => o.kind)).toEqual(['handed-off', 'handed-off']);
    expect(await pipeline.observedEvents()).toEqual([]);
    expect((await pipeline.progressEvents()).map((e) => e.detailType)).toEqual(['DatasetConversionQueued']);
  });

  test('a zip below the size threshold whose central directory does not fit the function\'s memory is handed off, not failed', async () => {
    const zip = datasetZip({ cat: 40, dog: 40 });
    await pipeline.upload(KEY, zip);
    const [message] = await pipeline.receive(1);
    const memory = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
    process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '0.05'; // a 42 KB budget: 80 entries need about 77 KB
    try {
      await pipeline.invoke(ingestion(DISTRIBUTED, 1024 ** 3), [message]);
    } finally {
      if (memory === undefined) delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
      else process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = memory;
    }
    expect(pipeline.outcomes.at(-1)).toMatchObject({ kind: 'handed-off' });
    expect(await pipeline.observedEvents()).toEqual([]);
    expect(await pipeline.dataKeys(DISTRIBUTED)).toEqual([]);
  });

  test('a worker that keeps failing: the map fails, DatasetConversionFailed names the item and its shards, nothing of the version remains, no pointer', async () => {
    const zip = datasetZip({ cat: 10, dog: 10 });
    await pipeline.upload(KEY, zip);
    const [message] = await pipeline.receive(1);
    await pipeline.invoke(ingestion(DISTRIBUTED, 1024), [message]);
    const input = JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${(pipeline.outcomes[0] as { version: string }).version}` }))).input!);
    let current = -1;
    const s3 = faultyS3(pipeline.s3, (command) =>
      current === 1 && command.constructor.name === 'GetObjectCommand' && command.input.Key === KEY && command.input.Range ? networkError() : undefined);
    const run = await runStateMachineLocally(input, { services: services(s3), config, beforeWorker: (item) => { current = item; } });

    expect(run.status).toBe('FAILED');
    expect(run.error!.Error).toBe('States.ExceedToleratedFailureThreshold');
    expect(run.calls.workers.get(0)).toBe(1);
    expect(run.calls.workers.get(1)).toBe(3); // first attempt + 2 retries
    expect(run.calls.finalizer).toBe(0);
    const [event] = failedEvents(await pipeline.observedEvents());
    expect(event).toMatchObject({
      datasetId: 'cats', channel: 'training', version: input.version, code: 'retries-exhausted', reason: 'conversion failed repeatedly',
      failedItems: expect.arrayContaining([expect.objectContaining({ item: 1, firstShard: expect.stringMatching(/^training-\d{5}-of-\d{5}\.tfrecord$/), lastError: expect.stringMatching(/reading the upload failed/) })]),
    });
    expect(event.message).toMatch(/item 1 \(training-.*\): .*reading the upload failed/);
    expect(event.failedItems!.map((i) => i.item)).not.toContain(0);
    expect(await pipeline.dataKeys(DISTRIBUTED)).toEqual([]);
    expect(await pipeline.listKeys('ingestion-work/', DISTRIBUTED)).toEqual([`ingestion-work/vision/cats/training/${input.version}/ABORTED`]);
  });

  test('retried workers are idempotent: a worker failing mid-item and a duplicate invocation of a finished item give the single function\'s bytes', async () => {
    const zip = datasetZip({ cat: 12, dog: 12, fox: 6 });
    const body = await convertSingle(zip);
    const input = await handOff(body) as { version: string };
    let current = -1;
    let attempt = 0;
    let puts = 0;
    // Item 1, first attempt: the second shard upload fails after the first shard was published.
    const s3 = faultyS3(pipeline.s3, (command) => {
      if (current !== 1 || attempt !== 0) return undefined;
      if (command.constructor.name === 'PutObjectCommand' && String(command.input.Key).endsWith('.tfrecord') && ++puts === 2) return networkError();
      return undefined;
    });
    const svc = services(s3);
    const run = await runStateMachineLocally(input, { services: svc, config, beforeWorker: (item, a) => { current = item; attempt = a; } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.workers.get(1)).toBe(2);
    expect(puts).toBeGreaterThanOrEqual(2);

    // A duplicate invocation of item 0 after success (a lost response retried): it reuses the result. The
    // work files are gone after finalizing, so replay it against a fresh plan of the same version.
    const prefix = `datasets/vision/cats/training/${input.version}/`;
    const single = await folder(SINGLE, prefix);
    const parallel = await folder(DISTRIBUTED, prefix);
    for (const [name, bytes] of single) if (name !== 'manifest.json') expect(parallel.get(name)!.equals(bytes)).toBe(true);
    const plan = await planDistributedConversion(JSON.parse(JSON.stringify(input)), svc, config);
    const items = (await pipeline.getBuffer(`${plan.run.workPrefix}items.jsonl`, DISTRIBUTED)).toString().trim().split('\n').map((l) => JSON.parse(l));
    const first = await runWorker({ run: plan.run, item: items[0] }, svc);
    const again = await runWorker({ run: plan.run, item: items[0] }, svc);
    expect(first.reused).toBe(false);
    expect(again).toEqual({ ...first, reused: true });
    const after = await folder(DISTRIBUTED, prefix);
    for (const [name, bytes] of single) if (name !== 'manifest.json') expect(after.get(name)!.equals(bytes)).toBe(true);
  });

  test('a hostile zip (overlapping entries) is rejected by the planner before any worker runs, with the single function\'s verdict', async () => {
    const body = await convertSingle(overlappingZip());
    const fromSingle = failedEvents(await pipeline.observedEvents())[0];
    expect(fromSingle).toMatchObject({ code: 'invalid-zip', problem: 'overlapping-entries' });

    const input = await handOff(body) as { version: string };
    const run = await runStateMachineLocally(input, { services: services(), config });
    expect(run.status).toBe('FAILED');
    expect(run.error!.Error).toBe('DistributedConversionRejected');
    expect(run.calls.planner).toBe(1); // never retried
    expect(run.calls.workers.size).toBe(0);
    const [event] = failedEvents(await pipeline.observedEvents());
    expect(event).toMatchObject({ code: fromSingle.code, reason: fromSingle.reason, problem: fromSingle.problem, message: fromSingle.message, version: input.version, rejected: fromSingle.rejected });
    expect(event.failedItems).toEqual([]);
    expect(await pipeline.dataKeys(DISTRIBUTED)).toEqual([]);
    expect(await pipeline.listKeys('ingestion-work/', DISTRIBUTED)).toEqual([`ingestion-work/vision/cats/training/${input.version}/ABORTED`]);
  });

  test('entries the plan already rejects (an unsafe name) end in the planner with every rejected entry listed', async () => {
    const entries: ZipEntrySpec[] = [
      { name: 'a/1.jpg', data: jpegBytes({ width: 3, height: 3, payloadBytes: 100 }) },
      { name: '../evil.jpg', data: jpegBytes({ width: 3, height: 3, payloadBytes: 100 }) },
      { name: 'b/1.jpg', data: jpegBytes({ width: 3, height: 3, payloadBytes: 100 }) },
    ];
    const zip = buildZip(entries);
    await pipeline.upload(KEY, zip);
    const upload = { bucket: UPLOADS, key: KEY, eventTime: new Date().toISOString(), size: zip.length };
    const input = { schemaVersion: 1, datasetId: 'cats', channel: 'training', version: uploadVersion(upload), upload, attempt: 1 };
    await pipeline.receive(1);
    const run = await runStateMachineLocally(input, { services: services(), config });
    expect(run.status).toBe('FAILED');
    expect(run.calls.workers.size).toBe(0);
    const [event] = failedEvents(await pipeline.observedEvents());
    expect(event).toMatchObject({ code: 'invalid-dataset', problem: 'rejected-entries', rejectedCount: 1, rejected: [expect.objectContaining({ name: '../evil.jpg', reason: 'unsafe-name' })] });
  });

  test('a worker still running when the failure handler aborts removes its shards; the finalizer checks every shard', async () => {
    const zip = datasetZip({ cat: 8, dog: 8 });
    await pipeline.upload(KEY, zip);
    await pipeline.receive(1);
    const head = await pipeline.s3.send(new GetObjectCommand({ Bucket: UPLOADS, Key: KEY }));
    const upload = { bucket: UPLOADS, key: KEY, versionId: head.VersionId, eventTime: new Date().toISOString(), size: zip.length };
    const input = { schemaVersion: 1, datasetId: 'cats', channel: 'training', version: uploadVersion(upload), upload, attempt: 1 };
    const svc = services();
    const plan = await planDistributedConversion(input, svc, config);
    const items = (await pipeline.getBuffer(`${plan.run.workPrefix}items.jsonl`, DISTRIBUTED)).toString().trim().split('\n').map((l) => JSON.parse(l));
    for (const item of items) await runWorker({ run: plan.run, item }, svc);

    // A shard vanished: the finalizer refuses to commit.
    const victim = `${plan.run.versionPrefix}training-00001-of-${String(plan.shardCount).padStart(5, '0')}.tfrecord`;
    await pipeline.s3.send(new DeleteObjectCommand({ Bucket: DISTRIBUTED, Key: victim }));
    await expect(finalizeDistributedConversion({ run: plan.run }, svc, config)).rejects.toThrow(/shard check failed: training-00001-of-\d+\.tfrecord is missing/);
    expect(await pipeline.listKeys('datasets/vision/cats/training/current.json', DISTRIBUTED)).toEqual([]);

    // The failure handler runs; a late worker (its retry) finds the marker and stops without leaving shards.
    await handleDistributedFailure({ input, error: { Error: 'Error', Cause: 'shard check failed' } }, svc);
    await expect(runWorker({ run: plan.run, item: items[0] }, svc)).rejects.toMatchObject({ name: 'DistributedConversionAborted' });
    expect(await pipeline.dataKeys(DISTRIBUTED)).toEqual([]);
    const [event] = failedEvents(await pipeline.observedEvents());
    expect(event).toMatchObject({ code: 'retries-exhausted', message: expect.stringMatching(/shard check failed/) });
  });

  test('a step that died out of memory or time (Lambda.Unknown) is reported as conversion-crashed, not retried', async () => {
    const zip = datasetZip({ cat: 2, dog: 2 });
    await pipeline.upload(KEY, zip);
    await pipeline.receive(1);
    const upload = { bucket: UPLOADS, key: KEY, eventTime: new Date().toISOString(), size: zip.length };
    const input = { schemaVersion: 1, datasetId: 'cats', channel: 'training', version: uploadVersion(upload), upload, attempt: 1 };
    await handleDistributedFailure({ input, error: { Error: 'Lambda.Unknown', Cause: 'The cause could not be determined because Lambda did not return an error type. Returned payload: {"errorType":"Runtime.OutOfMemory"}' } }, services());
    const [event] = failedEvents(await pipeline.observedEvents());
    expect(event).toMatchObject({ code: 'conversion-crashed', reason: 'the conversion ran out of memory or time', message: expect.stringMatching(/out of memory or out of time\) and is not retried.*Runtime\.OutOfMemory/) });
    expect(await pipeline.dataKeys(DISTRIBUTED)).toEqual([]);
  });

  test('the finalizer is idempotent: a retry after the manifest commits without converting or announcing again', async () => {
    const zip = datasetZip({ cat: 5, dog: 5 });
    await pipeline.upload(KEY, zip);
    await pipeline.receive(1);
    const upload = { bucket: UPLOADS, key: KEY, eventTime: new Date().toISOString(), size: zip.length };
    const input = { schemaVersion: 1, datasetId: 'cats', channel: 'training', version: uploadVersion(upload), upload, attempt: 1 };
    const svc = services();
    const plan = await planDistributedConversion(input, svc, config);
    const items = (await pipeline.getBuffer(`${plan.run.workPrefix}items.jsonl`, DISTRIBUTED)).toString().trim().split('\n').map((l) => JSON.parse(l));
    for (const item of items) await runWorker({ run: plan.run, item }, svc);
    const first = await finalizeDistributedConversion({ run: plan.run }, svc, config);
    const second = await finalizeDistributedConversion({ run: plan.run }, svc, config);
    expect(first).toMatchObject({ current: true, announced: true });
    expect(second).toMatchObject({ current: true, announced: false, records: first.records });
    expect(converted(await pipeline.observedEvents())).toHaveLength(1);
  });

  test('progress: DatasetConversionQueued, then DatasetConversionStarted naming the work items; one DatasetConversionProgress per 10 % step of completed items; the status ends converted', async () => {
    const zip = datasetZip({ cat: 14, dog: 11, fox: 9 });
    await pipeline.upload(KEY, zip);
    const [message] = await pipeline.receive(1);
    await pipeline.invoke(ingestion(DISTRIBUTED, 1024), [message]);
    const { version: queuedVersion } = pipeline.outcomes.at(-1) as { version: string };
    const statusKey = 'datasets/vision/cats/training/conversion-status.json';
    expect(await pipeline.getJson(statusKey, DISTRIBUTED)).toMatchObject({ version: queuedVersion, state: 'queued' });
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${queuedVersion}` }));

    const run = await runStateMachineLocally(JSON.parse(execution.input!), { services: services(), config });
    expect(run.status).toBe('SUCCEEDED');
    const items = run.plan!.itemCount;
    const events = await pipeline.progressEvents();
    expect(events[0]).toEqual({ source: 'cdk-sagemaker-datasets', detailType: 'DatasetConversionQueued', detail: expect.objectContaining({ route: 'distributed', version: queuedVersion }) });
    expect(events[0].detail).not.toHaveProperty('workItems');
    expect(events[1]).toMatchObject({ detailType: 'DatasetConversionStarted', detail: { route: 'distributed', workItems: items, version: queuedVersion } });
    const progress = events.slice(2);
    const expectedSteps = [...new Set(Array.from({ length: items - 1 }, (_, i) => Math.floor(((i + 1) * 10) / items)).filter((s) => s >= 1))];
    expect(progress.map((e) => Math.floor((e.detail.completed! * 10) / items))).toEqual(expectedSteps);
    expect(progress.every((e) => e.detail.unit === 'work-items' && e.detail.total === items)).toBe(true);
    expect(await pipeline.getJson(statusKey, DISTRIBUTED)).toMatchObject({ version: queuedVersion, state: 'converted' });
  });
});
