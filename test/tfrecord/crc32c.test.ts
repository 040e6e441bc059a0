import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import { crc32c, maskCrc32c, unmaskCrc32c } from '../../lambda/src/tfrecord/crc32c';

// The iSCSI SCSI Read (10) command PDU from RFC 3720 B.4.
const ISCSI_READ = Uint8Array.from([
  0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
  0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

describe('crc32c', () => {
  test.each([
    ['32 zero bytes', new Uint8Array(32), 0x8a9136aa],
    ['32 0xff bytes', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['ascending 0x00..0x1f', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ['descending 0x1f..0x00', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
    ['iSCSI read command', ISCSI_READ, 0xd9963a56],
    ['iSCSI read command minus last 7 bytes (TF)', ISCSI_READ.subarray(0, 41), 0xdd1b19be],
    ['iSCSI read command bytes 1..44 (TF)', ISCSI_READ.subarray(1, 45), 0x4930c4b1],
    ['"123456789"', new TextEncoder().encode('123456789'), 0xe3069283],
    ['empty input', new Uint8Array(0), 0],
  ])('RFC 3720 B.4 / check value: %s', (_name, data, expected) => {
    expect(crc32c(data)).toBe(expected);
  });

  test('returns an unsigned 32-bit integer', () => {
    const value = crc32c(new Uint8Array(32)); // 0x8a9136aa has the top bit set
    expect(value).toBeGreaterThan(0x7fffffff);
    expect(Number.isInteger(value)).toBe(true);
  });

  test('matches @node-rs/crc32 on large buffers at every alignment (word path and tails)', () => {
    const big = Buffer.alloc(1024 * 1024 + 37);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 23;
    for (let start = 0; start < 8; start++) {
      for (const end of [big.length, big.length - 1, big.length - 15, 300 + start]) {
        const slice = big.subarray(start, end);
        expect(crc32c(slice)).toBe(nativeCrc32c(slice));
      }
    }
  });

  test('matches @node-rs/crc32 on random buffers, offsets and seeds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), fc.integer({ min: 0, max: 0xffffffff }), (bytes, skip, seed) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        expect(crc32c(view)).toBe(nativeCrc32c(view));
        expect(crc32c(view, seed)).toBe(nativeCrc32c(view, seed));
      }),
      { numRuns: 500 },
    );
  });

  test('chains: crc32c(b, crc32c(a)) === crc32c(a ++ b)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.uint8Array({ maxLength: 1500 }), (a, b) => {
        const joined = new Uint8Array(a.length + b.length);
        joined.set(a, 0);
        joined.set(b, a.length);
        expect(crc32c(b, crc32c(a))).toBe(crc32c(joined));
      }),
      { numRuns: 300 },
    );
  });
});

describe('maskCrc32c', () => {
  test('masks as TensorFlow does', () => {
    expect(maskCrc32c(0xe3069283)).toBe(0xc78ab0e5);
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    expect(maskCrc32c(0x8c28b28a)).toBe(0x07980329);
  });

  test('unmask inverts mask for every 32-bit value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (crc) => {
        const masked = maskCrc32c(crc);
        expect(masked).toBeGreaterThanOrEqual(0);
        expect(masked).toBeLessThanOrEqual(0xffffffff);
        expect(unmaskCrc32c(masked)).toBe(crc);
      }),
    );
  });
});
