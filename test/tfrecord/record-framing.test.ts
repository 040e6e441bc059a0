import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameRecord, RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES, RECORD_OVERHEAD_BYTES } from '../../lambda/src/tfrecord/record-framing';

const hex = (parts: readonly Uint8Array[]) => parts.map((p) => Buffer.from(p).toString('hex')).join(' ');

describe('frameRecord', () => {
  test('header and footer sizes are those of TensorFlow record_writer.h', () => {
    expect(RECORD_HEADER_BYTES).toBe(12);
    expect(RECORD_FOOTER_BYTES).toBe(4);
    expect(RECORD_OVERHEAD_BYTES).toBe(16);
  });

  test('frames "hello" into the known bytes', () => {
    expect(hex(frameRecord(Buffer.from('hello')))).toBe('0500000000000000eab2043e 68656c6c6f bb1f1c19');
  });

  test('frames an empty record: masked CRC of 8 zero bytes, then mask(0)', () => {
    expect(hex(frameRecord(new Uint8Array(0)))).toBe('000000000000000029039807  d8ea82a2');
  });

  test('returns the data object itself, not a copy', () => {
    const data = new Uint8Array([1, 2, 3]);
    expect(frameRecord(data)[1]).toBe(data);
  });

  test('reproduces the header of the first record of the TFX CIFAR-10 test file', () => {
    const file = readFileSync(join(__dirname, '../fixtures/tfrecord/tfx_cifar10_test.tfrecord'));
    const data = file.subarray(12, 12 + 2052);
    const [header, , footer] = frameRecord(data);
    expect(header.toString('hex')).toBe('040800000000000009b1ec3d');
    expect(footer).toEqual(file.subarray(12 + 2052, 16 + 2052));
  });
});
