import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImageHeader } from '../../lambda/src/images/image-header';
import { decodeExample, decodeExampleEntries, encodeExample, encodeExampleEntries, type Feature } from '../../lambda/src/tfrecord/example';
import { frameRecord } from '../../lambda/src/tfrecord/record-framing';
import { readTFRecords, readTFRecordsFromBuffer, type TFRecord } from '../../lambda/src/tfrecord/record-reader';

// Real TensorFlow-written files, copied byte for byte; see test/fixtures/tfrecord/README.md.
const FIXTURES = join(__dirname, '../fixtures/tfrecord');
const FILES = ['tfx_cifar10_test', 'tfx_cifar10_train', 'torchdata_example'] as const;

interface ExpectedBytes {
  len: number;
  sha256: string;
  utf8?: string;
  png?: { width: number; height: number; bitDepth: number; colorType: number };
}
type ExpectedFeature =
  | { key: string; kind: 'int64_list'; values: number[] }
  | { key: string; kind: 'float_list'; values: number[] }
  | { key: string; kind: 'bytes_list'; values: ExpectedBytes[] };
interface Expected {
  fileBytes: number;
  fileSha256: string;
  recordCount: number;
  records: {
    index: number;
    offset: number;
    dataLength: number;
    maskedCrcOfLength: number;
    maskedCrcOfData: number;
    exampleSha256: string;
    featuresInSerializedOrder: ExpectedFeature[];
  }[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

async function readAll(file: string, highWaterMark: number): Promise<TFRecord[]> {
  const records: TFRecord[] = [];
  for await (const r of readTFRecords(createReadStream(file, { highWaterMark }))) records.push(r);
  return records;
}

function expectFeature(actual: Feature, expected: ExpectedFeature): void {
  switch (expected.kind) {
    case 'int64_list':
      expect(actual).toEqual({ int64List: expected.values.map(BigInt) });
      return;
    case 'float_list':
      expect(actual).toEqual({ floatList: expected.values });
      return;
    case 'bytes_list': {
      if (!('bytesList' in actual)) throw new Error(`expected a bytes_list, got ${Object.keys(actual).join()}`);
      expect(actual.bytesList).toHaveLength(expected.values.length);
      actual.bytesList.forEach((value, i) => {
        const want = expected.values[i];
        expect(value.length).toBe(want.len);
        expect(sha256(value)).toBe(want.sha256);
        if (want.utf8 !== undefined) expect(Buffer.from(value).toString('utf8')).toBe(want.utf8);
        if (want.png) {
          expect(readImageHeader(value)).toEqual({
            format: 'png',
            width: want.png.width,
            height: want.png.height,
            bitDepth: want.png.bitDepth,
            channels: PNG_CHANNELS[want.png.colorType],
          });
        }
      });
    }
  }
}

describe.each(FILES)('TensorFlow-written fixture %s', (name) => {
  const path = join(FIXTURES, `${name}.tfrecord`);
  const file = readFileSync(path);
  const expected = JSON.parse(readFileSync(join(FIXTURES, `${name}.expected.json`), 'utf8')) as Expected;

  test('is the file the expected JSON describes', () => {
    expect(file.length).toBe(expected.fileBytes);
    expect(sha256(file)).toBe(expected.fileSha256);
  });

  test.each([64 * 1024, 1000, 7])('streams every record with verified CRCs (%i-byte chunks)', async (chunkSize) => {
    const records = await readAll(path, chunkSize);
    expect(records).toHaveLength(expected.recordCount);
    records.forEach((record, i) => {
      const want = expected.records[i];
      expect({ index: record.index, offset: record.offset, dataLength: record.data.length }).toEqual({
        index: want.index,
        offset: want.offset,
        dataLength: want.dataLength,
      });
      expect(sha256(record.data)).toBe(want.exampleSha256);
    });
  });

  test('stored masked CRCs are the expected ones', () => {
    for (const want of expected.records) {
      expect(file.readUInt32LE(want.offset + 8)).toBe(want.maskedCrcOfLength);
      expect(file.readUInt32LE(want.offset + 12 + want.dataLength)).toBe(want.maskedCrcOfData);
    }
  });

  test('decodes every Example to the expected features, in serialized order', () => {
    const records = readTFRecordsFromBuffer(file);
    records.forEach((record, i) => {
      const entries = decodeExampleEntries(record.data);
      const want = expected.records[i].featuresInSerializedOrder;
      expect(entries.map(([key]) => key)).toEqual(want.map((f) => f.key));
      entries.forEach(([, feature], j) => expectFeature(feature, want[j]));
    });
  });

  test('re-encoding every record in its own map order reproduces the file byte for byte', () => {
    const parts: Uint8Array[] = [];
    for (const record of readTFRecordsFromBuffer(file)) {
      const reencoded = encodeExampleEntries(decodeExampleEntries(record.data));
      expect(reencoded.equals(record.data)).toBe(true);
      parts.push(...frameRecord(reencoded));
    }
    expect(Buffer.concat(parts).equals(file)).toBe(true);
  });

  test('sorted-key encoding decodes to the same features', () => {
    for (const record of readTFRecordsFromBuffer(file)) {
      const features = decodeExample(record.data);
      const sorted = encodeExample(features);
      expect(sorted.length).toBe(record.data.length);
      expect(decodeExample(sorted)).toEqual(features);
      expect(decodeExampleEntries(sorted).map(([key]) => key)).toEqual(Object.keys(features).sort());
    }
  });
});

test('CIFAR-10 label counts match the README', () => {
  const counts = (name: string) => {
    const c: Record<string, number> = {};
    for (const record of readTFRecordsFromBuffer(readFileSync(join(FIXTURES, `${name}.tfrecord`)))) {
      const label = decodeExample(record.data).label;
      if (!('int64List' in label)) throw new Error('label is not an int64_list');
      c[String(label.int64List[0])] = (c[String(label.int64List[0])] ?? 0) + 1;
    }
    return c;
  };
  expect(counts('tfx_cifar10_test')).toEqual({ 0: 17, 1: 15, 2: 18, 3: 12, 4: 11, 5: 16, 6: 5, 7: 11, 8: 17, 9: 6 });
  expect(counts('tfx_cifar10_train')).toEqual({ 0: 13, 1: 5, 2: 10, 3: 18, 4: 14, 5: 12, 6: 9, 7: 17, 8: 16, 9: 14 });
});
