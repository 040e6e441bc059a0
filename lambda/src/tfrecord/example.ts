/**
 * tf.train.Example, encoded and decoded by hand (tensorflow/core/example/{example,feature}.proto):
 *
 *   Example  { Features features = 1; }
 *   Features { map<string, Feature> feature = 1; }      // repeated MapEntry { string key = 1; Feature value = 2; }
 *   Feature  { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
 *   BytesList { repeated bytes value = 1; }  FloatList { repeated float value = 1 [packed]; }  Int64List { repeated int64 value = 1 [packed]; }
 */

export type Feature =
  | { readonly bytesList: readonly Uint8Array[] }
  | { readonly int64List: readonly bigint[] }
  | { readonly floatList: readonly number[] };
export type Features = Readonly<Record<string, Feature>>;
export type FeatureEntry = readonly [key: string, feature: Feature];

export class ExampleDecodeError extends Error {
  constructor(
    /** Byte offset within the serialized Example where the problem was found. */
    readonly offset: number,
    /** Feature key being decoded, when known. */
    readonly featureKey: string | undefined,
    detail: string,
  ) {
    super(`malformed tf.train.Example at byte ${offset}${featureKey === undefined ? '' : ` (feature ${JSON.stringify(featureKey)})`}: ${detail}`);
    this.name = 'ExampleDecodeError';
  }
}

// Field tags (field number << 3 | wire type).
const TAG_LEN_1 = 0x0a; // field 1, length-delimited
const TAG_LEN_2 = 0x12; // field 2, length-delimited
const TAG_LEN_3 = 0x1a; // field 3, length-delimited

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** Encodes with map entries sorted by key (UTF-8 byte order), so equal features give equal bytes. */
export function encodeExample(features: Features): Buffer {
  const entries = Object.keys(features).map((key) => [key, features[key]] as const);
  const utf8 = new Map(entries.map(([key]) => [key, Buffer.from(key, 'utf8')]));
  entries.sort((a, b) => Buffer.compare(utf8.get(a[0])!, utf8.get(b[0])!));
  return encodeExampleEntries(entries);
}

/**
 * Encodes map entries in the given order, with TensorFlow's wire choices (packed int64/float,
 * even for one value; empty lists keep their kind). Reproduces TF-written bytes when given the
 * entry order a TF record was serialized with.
 */
export function encodeExampleEntries(entries: readonly FeatureEntry[]): Buffer {
  const seen = new Set<string>();
  const planned = entries.map(([key, feature]) => {
    if (seen.has(key)) throw new Error(`duplicate feature key ${JSON.stringify(key)}`);
    seen.add(key);
    return planEntry(key, feature);
  });
  let featuresSize = 0;
  for (const p of planned) featuresSize += 1 + varintSize(p.entrySize) + p.entrySize;

  const out = Buffer.allocUnsafe(1 + varintSize(featuresSize) + featuresSize);
  let pos = 0;
  out[pos++] = TAG_LEN_1;
  pos = writeVarint(out, pos, featuresSize);
  for (const p of planned) {
    out[pos++] = TAG_LEN_1;
    pos = writeVarint(out, pos, p.entrySize);
    out[pos++] = TAG_LEN_1;
    pos = writeVarint(out, pos, p.key.length);
    pos += p.key.copy(out, pos);
    out[pos++] = TAG_LEN_2;
    pos = writeVarint(out, pos, p.featureSize);
    pos = writeFeature(out, pos, p);
  }
  if (pos !== out.length) throw new Error(`internal error: encoded ${pos} of ${out.length} planned bytes`);
  return out;
}

type Planned =
  | { kind: 'bytes'; key: Buffer; values: readonly Uint8Array[]; listSize: number; featureSize: number; entrySize: number }
  | { kind: 'float'; key: Buffer; values: readonly number[]; listSize: number; featureSize: number; entrySize: number }
  | { kind: 'int64'; key: Buffer; values: readonly bigint[]; packedSize: number; listSize: number; featureSize: number; entrySize: number };

function planEntry(keyText: string, feature: Feature): Planned {
  const key = Buffer.from(keyText, 'utf8');
  const sizes = (listSize: number) => {
    const featureSize = 1 + varintSize(listSize) + listSize;
    const entrySize = 1 + varintSize(key.length) + key.length + 1 + varintSize(featureSize) + featureSize;
    return { listSize, featureSize, entrySize };
  };
  const kinds = ['bytesList', 'int64List', 'floatList'].filter((k) => k in feature);
  if (kinds.length !== 1) {
    throw new Error(`feature ${JSON.stringify(keyText)} must have exactly one of bytesList, int64List, floatList (has ${kinds.length})`);
  }
  if ('bytesList' in feature) {
    let listSize = 0;
    for (const v of feature.bytesList) listSize += 1 + varintSize(v.length) + v.length;
    return { kind: 'bytes', key, values: feature.bytesList, ...sizes(listSize) };
  }
  if ('floatList' in feature) {
    const n = feature.floatList.length * 4;
    return { kind: 'float', key, values: feature.floatList, ...sizes(n === 0 ? 0 : 1 + varintSize(n) + n) };
  }
  let packedSize = 0;
  for (const v of feature.int64List) {
    if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) {
      throw new RangeError(`feature ${JSON.stringify(keyText)}: int64 value ${String(v)} is not a bigint in the int64 range`);
    }
    packedSize += int64VarintSize(v);
  }
  const listSize = packedSize === 0 ? 0 : 1 + varintSize(packedSize) + packedSize;
  return { kind: 'int64', key, values: feature.int64List, packedSize, ...sizes(listSize) };
}

function writeFeature(out: Buffer, pos: number, p: Planned): number {
  switch (p.kind) {
    case 'bytes':
      out[pos++] = TAG_LEN_1;
      pos = writeVarint(out, pos, p.listSize);
      for (const v of p.values) {
        out[pos++] = TAG_LEN_1;
        pos = writeVarint(out, pos, v.length);
        out.set(v, pos);
        pos += v.length;
      }
      return pos;
    case 'float':
      out[pos++] = TAG_LEN_2;
      pos = writeVarint(out, pos, p.listSize);
      if (p.values.length === 0) return pos;
      out[pos++] = TAG_LEN_1;
      pos = writeVarint(out, pos, p.values.length * 4);
      for (const v of p.values) pos = out.writeFloatLE(v, pos);
      return pos;
    case 'int64':
      out[pos++] = TAG_LEN_3;
      pos = writeVarint(out, pos, p.listSize);
      if (p.values.length === 0) return pos;
      out[pos++] = TAG_LEN_1;
      pos = writeVarint(out, pos, p.packedSize);
      for (const v of p.values) pos = writeInt64Varint(out, pos, v);
      return pos;
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function int64VarintSize(v: bigint): number {
  if (v < 0n) return 10; // two's complement as uint64: always 10 bytes
  if (v <= BigInt(Number.MAX_SAFE_INTEGER)) return varintSize(Number(v));
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

function writeVarint(out: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

function writeInt64Varint(out: Buffer, pos: number, v: bigint): number {
  if (v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return writeVarint(out, pos, Number(v));
  let u = BigInt.asUintN(64, v);
  while (u >= 0x80n) {
    out[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  out[pos++] = Number(u);
  return pos;
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/**
 * Decodes a serialized Example. Accepts any map order, packed and unpacked repeated fields and
 * unknown fields (skipped). A repeated key keeps its last value, as protobuf maps do.
 * bytesList values are views into `bytes`, not copies.
 */
export function decodeExample(bytes: Uint8Array): Features {
  const features: Record<string, Feature> = {};
  for (const [key, feature] of decodeExampleEntries(bytes)) {
    // defineProperty so that a key such as "__proto__" becomes an ordinary own property.
    Object.defineProperty(features, key, { value: feature, enumerable: true, writable: true, configurable: true });
  }
  return features;
}

/** Decodes a serialized Example into its map entries in serialized order (duplicates kept). */
export function decodeExampleEntries(bytes: Uint8Array): FeatureEntry[] {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const entries: FeatureEntry[] = [];
  const example = new WireReader(buf, 0, buf.length, undefined);
  while (example.more()) {
    const { field, wire } = example.tag();
    if (field === 1 && wire === WIRE_LEN) {
      const features = example.sub();
      while (features.more()) {
        const t = features.tag();
        if (t.field === 1 && t.wire === WIRE_LEN) entries.push(decodeMapEntry(features.sub()));
        else features.skip(t.wire);
      }
    } else {
      example.skip(wire);
    }
  }
  return entries;
}

function decodeMapEntry(r: WireReader): FeatureEntry {
  const entryStart = r.pos;
  let key = '';
  let value: WireReader | undefined;
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) key = r.string();
    else if (field === 2 && wire === WIRE_LEN) value = r.sub();
    else r.skip(wire);
  }
  if (!value) throw new ExampleDecodeError(entryStart, key, 'map entry has no Feature value');
  value.featureKey = key;
  return [key, decodeFeature(value)];
}

function decodeFeature(r: WireReader): Feature {
  let kind: 'bytes' | 'float' | 'int64' | undefined;
  let bytesList: Buffer[] = [];
  let floatList: number[] = [];
  let int64List: bigint[] = [];
  const start = r.pos;
  while (r.more()) {
    const { field, wire } = r.tag();
    if (wire !== WIRE_LEN || field < 1 || field > 3) {
      r.skip(wire);
      continue;
    }
    const list = r.sub();
    // Oneof: a different kind replaces what came before; the same kind again merges (lists concatenate).
    if (field === 1) {
      if (kind !== 'bytes') bytesList = [];
      kind = 'bytes';
      decodeBytesList(list, bytesList);
    } else if (field === 2) {
      if (kind !== 'float') floatList = [];
      kind = 'float';
      decodeFloatList(list, floatList);
    } else {
      if (kind !== 'int64') int64List = [];
      kind = 'int64';
      decodeInt64List(list, int64List);
    }
  }
  switch (kind) {
    case 'bytes':
      return { bytesList };
    case 'float':
      return { floatList };
    case 'int64':
      return { int64List };
    default:
      throw new ExampleDecodeError(start, r.featureKey, 'Feature has none of bytes_list, float_list, int64_list');
  }
}

function decodeBytesList(r: WireReader, out: Buffer[]): void {
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) out.push(r.bytes());
    else r.skip(wire);
  }
}

function decodeFloatList(r: WireReader, out: number[]): void {
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) {
      const packed = r.bytes();
      if (packed.length % 4 !== 0) throw r.error(r.pos - packed.length, `packed float_list length ${packed.length} is not a multiple of 4`);
      for (let i = 0; i < packed.length; i += 4) out.push(packed.readFloatLE(i));
    } else if (field === 1 && wire === WIRE_FIXED32) {
      out.push(r.float32());
    } else {
      r.skip(wire);
    }
  }
}

function decodeInt64List(r: WireReader, out: bigint[]): void {
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) {
      const packed = r.sub();
      while (packed.more()) out.push(packed.int64());
    } else if (field === 1 && wire === WIRE_VARINT) {
      out.push(r.int64());
    } else {
      r.skip(wire);
    }
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads protobuf wire format from buf[pos, end), never past `end`. */
class WireReader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly end: number,
    public featureKey: string | undefined,
  ) {}

  more(): boolean {
    return this.pos < this.end;
  }

  tag(): { field: number; wire: number } {
    const at = this.pos;
    const tag = this.varint32();
    const field = tag >>> 3;
    if (field === 0) throw this.error(at, `invalid field number 0 (tag ${tag})`);
    return { field, wire: tag & 7 };
  }

  /** A length-delimited field as a reader over its contents. */
  sub(): WireReader {
    const len = this.length();
    const r = new WireReader(this.buf, this.pos, this.pos + len, this.featureKey);
    this.pos += len;
    return r;
  }

  bytes(): Buffer {
    const len = this.length();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    const raw = this.bytes();
    try {
      return utf8Decoder.decode(raw);
    } catch {
      throw this.error(this.pos - raw.length, 'map key is not valid UTF-8');
    }
  }

  float32(): number {
    if (this.end - this.pos < 4) throw this.error(this.pos, `fixed32 needs 4 bytes, ${this.end - this.pos} left`);
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A varint read as a signed 64-bit integer (two's complement, as int64 fields are). */
  int64(): bigint {
    const at = this.pos;
    let low = 0; // first 7 bytes = 49 bits fit exactly in a double
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw this.error(at, 'varint runs past the end of its field');
      const b = this.buf[this.pos++];
      if (i < 7) {
        low += (b & 0x7f) * scale;
        scale *= 128;
        if (b < 0x80) return BigInt(low);
      } else {
        return this.int64Tail(at, low, b, i);
      }
    }
    throw this.error(at, 'varint longer than 10 bytes');
  }

  private int64Tail(at: number, low: number, first: number, index: number): bigint {
    let v = BigInt(low);
    let b = first;
    for (let i = index; ; i++) {
      v |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asIntN(64, v);
      if (i === 9) throw this.error(at, 'varint longer than 10 bytes');
      if (this.pos >= this.end) throw this.error(at, 'varint runs past the end of its field');
      b = this.buf[this.pos++];
    }
  }

  skip(wire: number): void {
    const at = this.pos;
    switch (wire) {
      case WIRE_VARINT:
        this.int64();
        return;
      case WIRE_FIXED64:
        if (this.end - this.pos < 8) throw this.error(at, 'fixed64 field runs past the end of its message');
        this.pos += 8;
        return;
      case WIRE_LEN: {
        const len = this.length(); // advances pos past the length prefix first
        this.pos += len;
        return;
      }
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) throw this.error(at, 'fixed32 field runs past the end of its message');
        this.pos += 4;
        return;
      default:
        throw this.error(at, `unsupported wire type ${wire}`);
    }
  }

  error(offset: number, detail: string): ExampleDecodeError {
    return new ExampleDecodeError(offset, this.featureKey, detail);
  }

  /** Length prefix of a length-delimited field, checked against the enclosing message. */
  private length(): number {
    const at = this.pos;
    const len = this.varint32();
    if (len > this.end - this.pos) {
      throw this.error(at, `length ${len} runs past the end of the enclosing message (${this.end - this.pos} bytes left)`);
    }
    return len;
  }

  /** Unsigned varint that must fit in 32 bits (tags and lengths). */
  private varint32(): number {
    const at = this.pos;
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw this.error(at, 'varint runs past the end of its message');
      const b = this.buf[this.pos++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (v > 0xffffffff) break;
        return v;
      }
      scale *= 128;
    }
    throw this.error(at, 'varint tag or length does not fit in 32 bits');
  }
}
