import fc from 'fast-check';
import {
  decodeExample,
  decodeExampleEntries,
  encodeExample,
  encodeExampleEntries,
  ExampleDecodeError,
  type Feature,
  type Features,
} from '../../lambda/src/tfrecord/example';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A length-delimited field: tag, one-byte length, contents (hex strings or bytes). */
const field = (tag: number, ...parts: (string | Uint8Array)[]) => {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? hex(p) : Buffer.from(p))));
  if (body.length > 127) throw new Error('test helper writes one-byte lengths only');
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
};
/** Features map entry { key = 1; value = 2 (Feature contents) }. */
const entry = (key: string, ...feature: (string | Uint8Array)[]) => field(0x0a, field(0x0a, Buffer.from(key)), field(0x12, ...feature));
/** Example { features = 1 { entries } }. */
const example = (...entries: Uint8Array[]) => field(0x0a, ...entries);
/** An Example with the single key "k"; the Feature's contents start at byte 9. */
const one = (...feature: (string | Uint8Array)[]) => example(entry('k', ...feature));

function decodeError(bytes: Uint8Array): ExampleDecodeError {
  try {
    decodeExample(bytes);
  } catch (err) {
    if (err instanceof ExampleDecodeError) return err;
    throw err;
  }
  throw new Error('decodeExample accepted malformed input');
}

describe('encodeExample', () => {
  test('writes a single int64 packed, as TensorFlow does (label = [7])', () => {
    const bytes = encodeExample({ label: { int64List: [7n] } });
    expect(bytes.toString('hex')).toBe(example(entry('label', '1a03 0a01 07')).toString('hex'));
    expect(bytes.toString('hex')).toBe(`0a10 0a0e 0a05 ${Buffer.from('label').toString('hex')} 1205 1a03 0a01 07`.replace(/ /g, ''));
  });

  test('keeps the kind of an empty list', () => {
    expect(encodeExample({ a: { int64List: [] } })).toEqual(example(entry('a', '1a00')));
    expect(encodeExample({ a: { floatList: [] } })).toEqual(example(entry('a', '1200')));
    expect(encodeExample({ a: { bytesList: [] } })).toEqual(example(entry('a', '0a00')));
    expect(encodeExample({ a: { bytesList: [new Uint8Array(0)] } })).toEqual(example(entry('a', '0a02 0a00')));
  });

  test('an empty Example still carries an empty Features message', () => {
    expect(encodeExample({}).toString('hex')).toBe('0a00');
  });

  test('writes negative int64 as 10-byte varints and large ones in full', () => {
    const bytes = encodeExample({ n: { int64List: [-1n, -(2n ** 63n), 2n ** 63n - 1n, 300n] } });
    const packed = 'ffffffffffffffffff01' + '80808080808080808001' + 'ffffffffffffffff7f' + 'ac02';
    expect(bytes).toEqual(example(entry('n', field(0x1a, field(0x0a, packed)))));
  });

  test('writes floats as little-endian float32 (3.14 rounds to 3.140000104904175)', () => {
    const bytes = encodeExample({ f: { floatList: [3.14, -0.5] } });
    expect(bytes).toEqual(example(entry('f', '120a 0a08 c3f54840 000000bf')));
    expect(decodeExample(bytes)).toEqual({ f: { floatList: [3.140000104904175, -0.5] } });
  });

  test('orders map entries by the UTF-8 bytes of their keys, whatever the insertion order', () => {
    // '\uffff' sorts before '\u{1f600}' in UTF-8 but after it in UTF-16 code units.
    const keys = ['b', 'a', 'image/encoded', 'image/class/label', '\u{1f600}', '\uffff', ''];
    const features: Record<string, Feature> = {};
    for (const key of keys) features[key] = { int64List: [1n] };
    const entries = decodeExampleEntries(encodeExample(features)).map(([key]) => key);
    expect(entries).toEqual(['', 'a', 'b', 'image/class/label', 'image/encoded', '\uffff', '\u{1f600}']);
  });

  test('encodeExampleEntries keeps the given order', () => {
    const entries = [['z', { bytesList: [Buffer.from('x')] }], ['a', { floatList: [1] }]] as const;
    expect(decodeExampleEntries(encodeExampleEntries(entries)).map(([key]) => key)).toEqual(['z', 'a']);
  });

  test('rejects duplicate keys, shapeless features and out-of-range int64 values', () => {
    expect(() => encodeExampleEntries([['k', { int64List: [1n] }], ['k', { int64List: [2n] }]])).toThrow(/duplicate feature key "k"/);
    expect(() => encodeExample({ k: {} as unknown as Feature })).toThrow(/"k" must have exactly one of/);
    expect(() => encodeExample({ k: { int64List: [1n], floatList: [1] } as unknown as Feature })).toThrow(/exactly one/);
    expect(() => encodeExample({ k: { int64List: [2n ** 63n] } })).toThrow(RangeError);
    expect(() => encodeExample({ k: { int64List: [1 as unknown as bigint] } })).toThrow(/not a bigint/);
  });

  test('encodes a 1 MiB bytes value with a 3-byte length varint', () => {
    const big = Buffer.alloc(1 << 20, 0xab);
    const decoded = decodeExample(encodeExample({ 'image/encoded': { bytesList: [big] } }));
    expect(decoded['image/encoded']).toEqual({ bytesList: [big] });
  });
});

describe('decodeExample', () => {
  test('accepts unpacked int64 and float values', () => {
    // int64_list { value: 1 value: 2 } unpacked; float_list { value: 1.0 } as fixed32.
    const bytes = example(entry('i', '1a04 0801 0802'), entry('f', '1205 0d 0000803f'));
    expect(decodeExample(bytes)).toEqual({ i: { int64List: [1n, 2n] }, f: { floatList: [1] } });
  });

  test('concatenates a packed field split across several occurrences, and mixed packed/unpacked', () => {
    const bytes = example(entry('i', field(0x1a, '0a020102 0a0103 0804')));
    expect(decodeExample(bytes)).toEqual({ i: { int64List: [1n, 2n, 3n, 4n] } });
  });

  test('merges a repeated kind, and a different kind later replaces it (oneof)', () => {
    const merged = example(entry('b', '0a03 0a0161 0a03 0a0162'));
    expect(decodeExample(merged)).toEqual({ b: { bytesList: [Buffer.from('a'), Buffer.from('b')] } });
    const replaced = example(entry('b', '0a03 0a0161 1a02 0807'));
    expect(decodeExample(replaced)).toEqual({ b: { int64List: [7n] } });
  });

  test('accepts map entries with the value before the key, and skips unknown fields at every level', () => {
    // Entry: value first, then key, then an unknown varint field 3. The Feature holds an unknown
    // fixed64 field 4, the Int64List an unknown fixed32 field 2, and the Example an unknown field 2.
    const feature = field(0x1a, '0a0107 1505060708', '21 0102030405060708');
    const features = field(0x0a, field(0x0a, field(0x12, feature), '0a016b', '1801'));
    const bytes = Buffer.concat([features, hex('1203 616263')]);
    expect(decodeExample(bytes)).toEqual({ k: { int64List: [7n] } });
  });

  test('a repeated key keeps its last value; "__proto__" is an ordinary key', () => {
    const bytes = example(entry('k', '1a03 0a0101'), entry('k', '1a03 0a0102'), entry('__proto__', '1a03 0a0103'));
    const decoded = decodeExample(bytes);
    expect(Object.keys(decoded)).toEqual(['k', '__proto__']);
    expect(decoded.k).toEqual({ int64List: [2n] });
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ int64List: [3n] });
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decodeExampleEntries(bytes).map(([key]) => key)).toEqual(['k', 'k', '__proto__']);
  });

  test('decodes negative and 64-bit int64 varints', () => {
    const decoded = decodeExample(encodeExample({ n: { int64List: [-1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 49n, 2n ** 56n + 3n] } }));
    expect(decoded.n).toEqual({ int64List: [-1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 49n, 2n ** 56n + 3n] });
  });

  test('an empty message is an Example without features', () => {
    expect(decodeExample(new Uint8Array(0))).toEqual({});
  });

  test.each([
    ['Features length past the end', hex('0a05 0a01'), 1, /length 5 runs past the end/],
    ['map key length past the end of its entry', hex('0a05 0a03 0a05 61'), 5, /length 5 runs past the end/],
    ['truncated varint', hex('0a01 80'), 2, /varint runs past the end/],
    ['field number 0', hex('0a02 0001'), 2, /invalid field number 0/],
    ['group wire type', hex('0a02 0b00'), 3, /unsupported wire type 3/],
    ['tag varint over 32 bits', hex('0a06 ffffffffff01'), 2, /does not fit in 32 bits/],
    ['int64 varint longer than 10 bytes', one('1a0d 0a0b ffffffffffffffffffff01'), 13, /longer than 10 bytes/],
    ['packed float not a multiple of 4', one('1204 0a02 0000'), 13, /not a multiple of 4/],
    ['truncated fixed32 float', one('1202 0d00'), 12, /fixed32 needs 4 bytes/],
    ['Feature without a kind', one(), 9, /none of bytes_list/],
    ['map entry without a value', example(field(0x0a, '0a016b')), 4, /no Feature value/],
    ['map key that is not UTF-8', example(field(0x0a, '0a01ff', '12021a00')), 6, /not valid UTF-8/],
  ] as const)('rejects %s with ExampleDecodeError at the right byte offset', (_name, bytes, offset, message) => {
    const err = decodeError(bytes);
    expect(err.offset).toBe(offset);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`at byte ${offset}`);
  });

  test('names the feature being decoded', () => {
    const err = decodeError(one('1204 0a02 0000'));
    expect(err.featureKey).toBe('k');
    expect(err.message).toContain('(feature "k")');
  });

  test('random bytes either decode or throw ExampleDecodeError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeExample(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(ExampleDecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('truncating a valid Example anywhere gives ExampleDecodeError', () => {
    const bytes = encodeExample({ a: { bytesList: [Buffer.from('hello')] }, b: { int64List: [-5n, 9n] }, c: { floatList: [1.5] } });
    for (let n = 1; n < bytes.length; n++) {
      expect(() => decodeExample(bytes.subarray(0, n))).toThrow(ExampleDecodeError);
    }
  });
});

describe('round trip (property)', () => {
  const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  const feature: fc.Arbitrary<Feature> = fc.oneof(
    fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }).map((bytesList) => ({ bytesList })),
    fc.array(int64, { maxLength: 20 }).map((int64List) => ({ int64List })),
    fc.array(fc.float(), { maxLength: 20 }).map((floatList) => ({ floatList })),
  );
  const features: fc.Arbitrary<Features> = fc.dictionary(fc.string({ unit: 'binary', maxLength: 20 }), feature, { maxKeys: 8 });

  /** Buffers come back from the decoder; compare as plain bytes. */
  const normalize = (f: Features) =>
    Object.fromEntries(
      Object.entries(f).map(([key, value]) => [key, 'bytesList' in value ? { bytesList: value.bytesList.map((b) => Array.from(b)) } : value]),
    );

  test('decodeExample(encodeExample(f)) equals f', () => {
    fc.assert(
      fc.property(features, (f) => {
        expect(normalize(decodeExample(encodeExample(f)))).toEqual(normalize(f));
      }),
      { numRuns: 500 },
    );
  });

  test('encoding is deterministic and independent of key insertion order', () => {
    fc.assert(
      fc.property(features, (f) => {
        const reversed: Record<string, Feature> = {};
        for (const key of Object.keys(f).reverse()) Object.defineProperty(reversed, key, { value: f[key], enumerable: true });
        const a = encodeExample(f);
        expect(encodeExample(reversed).equals(a)).toBe(true);
        expect(encodeExample(decodeExample(a)).equals(a)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('encodeExampleEntries round-trips entries in their order', () => {
    fc.assert(
      fc.property(features, (f) => {
        const entries = Object.entries(f).reverse();
        const decoded = decodeExampleEntries(encodeExampleEntries(entries));
        expect(decoded.map(([key]) => key)).toEqual(entries.map(([key]) => key));
      }),
      { numRuns: 200 },
    );
  });
});
