import { ConversionFailureCode, TOO_LARGE_REASON } from '../../contract/ingestion-events';
import { createPointer, DatasetKeyError, uploadVersion, type UploadIdentity } from '../../lambda/src/catalog';
import { DatasetError, DatasetProblem, RejectReason } from '../../lambda/src/dataset';
import { ByteSourceError } from '../../lambda/src/io';
import { convertedDetail, failedDetail, MAX_LISTED_REJECTIONS } from '../../lambda/src/ingestion/events';
import { classifyFailure } from '../../lambda/src/ingestion/failure';
import { decidePointer } from '../../lambda/src/ingestion/pointer-decision';
import { assessTimeBudget, estimateConversionMs, formatBytes, SAFETY_RESERVE_MS } from '../../lambda/src/ingestion/time-budget';
import { assessUploadSize } from '../../lambda/src/ingestion/upload-limit';
import { ZipFormatError, ZipProblem } from '../../lambda/src/zip';

const ref = { tenant: 'vision', datasetId: 'cats', channel: 'training' };
const upload = (overrides: Partial<UploadIdentity> = {}): UploadIdentity => ({
  bucket: 'uploads', key: 'uploads/vision/cats/training.zip', versionId: 'v1', etag: 'e1', sequencer: '0055AED6DCD90281E5', eventTime: '2026-11-22T11:55:26.000Z', ...overrides,
});

describe('decidePointer', () => {
  const older = upload();
  const newer = upload({ versionId: 'v2', sequencer: '0055AED6DCD90281F0', eventTime: '2026-11-22T11:56:00.000Z' });
  const valid = (source: UploadIdentity) => ({ state: 'valid' as const, pointer: createPointer(ref, uploadVersion(source), source, new Date()), etag: '"p1"' });

  test.each([
    ['no pointer yet → create (If-None-Match: *)', { state: 'absent' as const }, older, { action: 'create' }],
    ['a newer upload → replace (If-Match on the ETag)', valid(older), newer, { action: 'replace', ifMatch: '"p1"', previousVersion: uploadVersion(older) }],
    ['an older upload finishing late → keep', valid(newer), older, { action: 'keep', reason: 'current-is-later', currentVersion: uploadVersion(newer) }],
    ['a redelivery of the current version → keep', valid(older), older, { action: 'keep', reason: 'already-current', currentVersion: uploadVersion(older) }],
    ['a corrupt pointer → replace', { state: 'corrupt' as const, etag: '"bad"', problem: 'not JSON' }, older, { action: 'replace', ifMatch: '"bad"' }],
  ])('%s', (_name, current, candidate, expected) => {
    expect(decidePointer(current, candidate, uploadVersion(candidate))).toEqual(expected);
  });

  test('without sequencers (moto) the event time orders uploads', () => {
    const a = upload({ sequencer: undefined, eventTime: '2026-11-22T11:55:26.000Z' });
    const b = upload({ sequencer: undefined, versionId: 'v2', eventTime: '2026-11-22T11:55:27.000Z' });
    expect(decidePointer(valid(a), b, uploadVersion(b)).action).toBe('replace');
    expect(decidePointer(valid(b), a, uploadVersion(a)).action).toBe('keep');
  });
});

describe('assessTimeBudget', () => {
  const MiB = 1024 ** 2;
  const base = { maxZipBytes: 10 * 1024 * MiB, bytesPerSecond: 32 * MiB, invocationBudgetMs: 900_000, remainingMs: 900_000 };

  test.each<[string, Partial<Parameters<typeof assessTimeBudget>[0]> & { zipBytes: number }, string]>([
    ['a small zip converts', { zipBytes: 100 * MiB }, 'convert'],
    ['above the size threshold', { zipBytes: 11 * 1024 * MiB }, 'too-large'],
    ['below the threshold but slower than the whole invocation', { zipBytes: 9 * 1024 * MiB, bytesPerSecond: 8 * MiB }, 'too-large'],
    ['fits a fresh invocation, not what is left', { zipBytes: 1024 * MiB, remainingMs: 30_000 }, 'retry-later'],
  ])('%s', (_name, input, kind) => {
    expect(assessTimeBudget({ ...base, ...input }).kind).toBe(kind);
  });

  test('the too-large verdict carries the issue\'s reason and names the prop to change', () => {
    const verdict = assessTimeBudget({ ...base, zipBytes: 11 * 1024 * MiB });
    expect(verdict).toMatchObject({ kind: 'too-large', reason: TOO_LARGE_REASON });
    expect(verdict.kind === 'too-large' && verdict.message).toMatch(/11\.0 GiB, above the single-function limit of 10\.0 GiB \(DatasetIngestion prop singleFunctionMaxZipSize\)/);
  });

  test('the estimate grows with size and keeps a reserve', () => {
    expect(estimateConversionMs(0, 1)).toBe(5_000);
    expect(estimateConversionMs(32 * MiB, 32 * MiB)).toBe(6_250);
    const justFits = (900_000 - SAFETY_RESERVE_MS - 5_000) / 1.25 / 1000 * 32 * MiB;
    const unlimited = { ...base, maxZipBytes: 100 * 1024 * MiB };
    expect(assessTimeBudget({ ...unlimited, zipBytes: Math.floor(justFits) }).kind).toBe('convert');
    expect(assessTimeBudget({ ...unlimited, zipBytes: Math.ceil(justFits) + MiB }).kind).toBe('too-large');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });
});

describe('classifyFailure', () => {
  test.each<[string, unknown, object, object]>([
    ['a bad key', new DatasetKeyError('Upload key "x" is bad.'), {}, { kind: 'permanent', code: ConversionFailureCode.INVALID_UPLOAD_KEY, reason: 'invalid upload key' }],
    ['a hostile zip', new ZipFormatError(ZipProblem.OVERLAPPING_ENTRIES, 's3://b/k', 'overlapping entries'), {}, { kind: 'permanent', code: ConversionFailureCode.INVALID_ZIP, problem: 'overlapping-entries' }],
    ['a zip that changed', new ZipFormatError(ZipProblem.SOURCE_CHANGED, 's3://b/k', 'changed'), {}, { kind: 'permanent', code: ConversionFailureCode.UPLOAD_CHANGED }],
    ['an unacceptable dataset', new DatasetError(DatasetProblem.ALL_ENTRIES_REJECTED, 'every file was rejected'), {}, { kind: 'permanent', code: ConversionFailureCode.INVALID_DATASET, problem: 'all-entries-rejected' }],
    ['a network error', new Error('socket hang up'), {}, { kind: 'transient' }],
    ['a "malformed zip" that was really a failed GET', new ZipFormatError(ZipProblem.MALFORMED, 's3://b/k', 'malformed'), { ioFailure: new Error('SlowDown') }, { kind: 'transient' }],
    ['a read of an overwritten upload', new ByteSourceError('s3://b/k', 0, 1, 'x'), { changed: new Error('the upload changed') }, { kind: 'permanent', code: ConversionFailureCode.UPLOAD_CHANGED }],
  ])('%s', (_name, error, observations, expected) => {
    expect(classifyFailure(error, observations)).toMatchObject(expected);
  });
});

describe('event details', () => {
  test('DatasetConversionFailed lists at most 50 rejected entries and counts all', () => {
    const rejected = Array.from({ length: 120 }, (_, index) => ({ index, name: `img${index}.jpg`, reason: RejectReason.CRC_MISMATCH, detail: 'x'.repeat(500) }));
    const detail = failedDetail({ ref, version: 'v1', upload: upload(), code: ConversionFailureCode.INVALID_DATASET, reason: 'r', message: 'm'.repeat(5000), rejected, attempts: 1 });
    expect(detail.rejected).toHaveLength(MAX_LISTED_REJECTIONS);
    expect(detail.rejectedCount).toBe(120);
    expect(detail.rejected[0].detail.length).toBeLessThanOrEqual(300);
    expect(detail.message.length).toBeLessThanOrEqual(1000);
    expect(JSON.stringify(detail).length).toBeLessThan(64 * 1024);
  });

  test('a failure for an invalid key has no dataset id', () => {
    const detail = failedDetail({ upload: upload({ key: 'uploads/x.zip' }), code: ConversionFailureCode.INVALID_UPLOAD_KEY, reason: 'invalid upload key', message: 'm', attempts: 2 });
    expect(detail).not.toHaveProperty('datasetId');
    expect(detail).toMatchObject({ schemaVersion: 1, code: 'invalid-upload-key', rejected: [], rejectedCount: 0, attempts: 2 });
  });

  test('DatasetConverted names the manifest and pointer URIs and the counts', () => {
    const version = uploadVersion(upload());
    const manifest = {
      records: 7, shards: [{ name: 'a' }, { name: 'b' }], classNames: ['cat', 'dog'], entries: { total: 9, converted: 7, skipped: 2, rejected: 0 },
      timing: { durationMs: 12 }, source: { size: 99 },
    } as unknown as Parameters<typeof convertedDetail>[0]['manifest'];
    expect(convertedDetail({ ref, version, upload: upload(), datasetBucket: 'data', manifest, current: true })).toEqual({
      schemaVersion: 1, tenant: 'vision', datasetId: 'cats', channel: 'training', kind: 'images', version,
      upload: { ...upload(), size: 99 }, datasetBucket: 'data', prefix: `datasets/vision/cats/training/${version}/`,
      manifestUri: `s3://data/datasets/vision/cats/training/${version}/manifest.json`, pointerUri: 's3://data/datasets/vision/cats/training/current.json',
      current: true, datasetPath: `vision/cats/training/${version}`, counts: { records: 7, shards: 2, classes: 2, entries: 9, skipped: 2, rejected: 0 }, durationMs: 12,
    });
  });
});

describe('assessUploadSize', () => {
  test.each<[string, number | undefined, number, boolean]>([
    ['no size known yet → no verdict (the object is checked later)', undefined, 1024, false],
    ['below the limit', 1023, 1024, false],
    ['exactly the limit', 1024, 1024, false],
    ['one byte above', 1025, 1024, true],
  ])('%s', (_name, size, limit, refused) => {
    expect(assessUploadSize(size, limit) !== undefined).toBe(refused);
  });

  test('the verdict is permanent, coded upload-too-large, and names the size, the limit and the prop', () => {
    expect(assessUploadSize(300 * 1024 ** 3, 200 * 1024 ** 3)).toEqual({
      kind: 'permanent',
      code: ConversionFailureCode.UPLOAD_TOO_LARGE,
      reason: 'larger than the maximum upload size',
      message: expect.stringMatching(/^The upload is 300 GiB \(322122547200 bytes\), above the maximum upload size of 200 GiB \(214748364800 bytes; DatasetIngestion prop maxUploadSize, DatasetPlatformStack prop maxUploadSize\)\. It was not converted\. Split the dataset/),
      rejected: [],
    });
  });
});
