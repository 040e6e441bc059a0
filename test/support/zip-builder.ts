import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A hand-written zip writer for tests and the benchmark. Unlike real zip tools it can lie:
 * wrong CRCs and sizes, overlapping entries, encryption flags without encryption, symlink
 * attributes, unsupported methods, legacy name encodings, duplicate names, zip64 everywhere.
 */
export interface ZipEntrySpec {
  /** A string is written as UTF-8 (with the UTF-8 flag if it is not ASCII); bytes are written raw. */
  readonly name: string | Uint8Array;
  /** Uncompressed content. Default empty. */
  readonly data?: Uint8Array;
  /** 0 stored (default), 8 deflate; any other number stores `data` raw under that method id. */
  readonly method?: number;
  /** Set (true) or clear (false) general-purpose bit 11; default: set for non-ASCII string names. */
  readonly utf8Flag?: boolean;
  /** Bit 3: sizes and CRC go in a data descriptor after the data (with its optional signature). */
  readonly dataDescriptor?: boolean;
  /** Bit 0, plus the 12-byte traditional encryption header (garbage) in front of the data. */
  readonly encrypted?: boolean;
  /** Unix mode in the high 16 bits of the external attributes (host Unix), e.g. 0o120777 for a symlink. */
  readonly unixMode?: number;
  /** Lies told in both headers. */
  readonly crc32?: number;
  readonly uncompressedSize?: number;
  readonly compressedSize?: number;
  /** Raw bytes to store as the entry's data instead of the (compressed) `data`. */
  readonly rawData?: Uint8Array;
  /** Extra fields for the central directory (and local header unless localExtra is given). */
  readonly extraFields?: readonly { readonly id: number; readonly data: Uint8Array }[];
  /** Local-header extra field bytes, when they should differ from the central directory's. */
  readonly localExtra?: Uint8Array;
  /** Write a central-directory record pointing at another entry's local header (by spec index) instead of writing a local record. */
  readonly aliasOf?: number;
  /** Write zip64 extra fields for this entry even when not needed. */
  readonly zip64?: boolean;
}

export interface ZipBuildOptions {
  /** Write the zip64 end-of-central-directory record and locator even when not needed. */
  readonly zip64?: boolean;
  /** Bytes before the first local header (e.g. garbage). */
  readonly prefix?: Uint8Array;
  readonly comment?: string;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const U32 = 0xffffffff;

interface CentralRecord {
  name: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  offset: number;
  versionMadeBy: number;
  externalAttributes: number;
  extra: Uint8Array;
  zip64: boolean;
}

/** Appends entries to `write` as it goes; `finish()` writes the central directory. */
export class ZipWriter {
  private offset = 0;
  private readonly records: CentralRecord[] = [];

  constructor(
    private readonly write: (chunk: Uint8Array) => void,
    private readonly options: ZipBuildOptions = {},
  ) {
    if (options.prefix) this.emit(options.prefix);
  }

  get bytesWritten(): number {
    return this.offset;
  }

  add(spec: ZipEntrySpec): void {
    const name = typeof spec.name === 'string' ? Buffer.from(spec.name, 'utf8') : spec.name;
    const data = spec.data ?? new Uint8Array(0);
    const method = spec.method ?? 0;
    let payload = spec.rawData ?? (method === 8 ? deflateRawSync(data) : data);
    if (spec.encrypted && !spec.rawData) payload = Buffer.concat([Buffer.alloc(12, 0x5a), payload]);
    const utf8 = spec.utf8Flag ?? (typeof spec.name === 'string' && [...spec.name].some((ch) => ch.charCodeAt(0) > 0x7f));
    const flags = (utf8 ? 0x800 : 0) | (spec.dataDescriptor ? 0x8 : 0) | (spec.encrypted ? 0x1 : 0);
    const crc = spec.crc32 ?? crc32(data);
    const compressedSize = spec.compressedSize ?? payload.length;
    const uncompressedSize = spec.uncompressedSize ?? data.length;
    const extraFields = spec.extraFields ?? [];

    if (spec.aliasOf !== undefined) {
      const target = this.records[spec.aliasOf];
      this.records.push({ ...target, name, flags, crc, compressedSize, uncompressedSize, extra: encodeExtra(extraFields), zip64: false });
      return;
    }
    const zip64 = spec.zip64 === true || compressedSize >= U32 || uncompressedSize >= U32 || this.offset >= U32;
    const localExtra = spec.localExtra ?? Buffer.concat([zip64 ? zip64Extra([uncompressedSize, compressedSize]) : Buffer.alloc(0), encodeExtra(extraFields)]);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x6000, 10); // 12:00
    local.writeUInt16LE(0x5a21, 12); // 2025-01-01
    const descriptor = spec.dataDescriptor === true;
    local.writeUInt32LE(descriptor ? 0 : crc, 14);
    local.writeUInt32LE(descriptor ? 0 : zip64 ? U32 : compressedSize, 18);
    local.writeUInt32LE(descriptor ? 0 : zip64 ? U32 : uncompressedSize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    const offset = this.offset;
    this.emit(local);
    this.emit(name);
    this.emit(localExtra);
    this.emit(payload);
    if (descriptor) {
      const d = Buffer.alloc(zip64 ? 24 : 16);
      d.writeUInt32LE(SIG_DESCRIPTOR, 0);
      d.writeUInt32LE(crc, 4);
      if (zip64) {
        d.writeBigUInt64LE(BigInt(compressedSize), 8);
        d.writeBigUInt64LE(BigInt(uncompressedSize), 16);
      } else {
        d.writeUInt32LE(compressedSize, 8);
        d.writeUInt32LE(uncompressedSize, 12);
      }
      this.emit(d);
    }
    const unix = spec.unixMode !== undefined;
    this.records.push({
      name,
      flags,
      method,
      crc,
      compressedSize,
      uncompressedSize,
      offset,
      versionMadeBy: unix ? (3 << 8) | 30 : 20,
      externalAttributes: unix ? ((spec.unixMode! << 16) >>> 0) : 0,
      extra: encodeExtra(extraFields),
      zip64,
    });
  }

  finish(): void {
    const cdStart = this.offset;
    for (const r of this.records) {
      const zip64 = r.zip64 || r.offset >= U32;
      const extra = Buffer.concat([zip64 ? zip64Extra([r.uncompressedSize, r.compressedSize, r.offset]) : Buffer.alloc(0), r.extra]);
      const h = Buffer.alloc(46);
      h.writeUInt32LE(SIG_CENTRAL, 0);
      h.writeUInt16LE(r.versionMadeBy, 4);
      h.writeUInt16LE(zip64 ? 45 : 20, 6);
      h.writeUInt16LE(r.flags, 8);
      h.writeUInt16LE(r.method, 10);
      h.writeUInt16LE(0x6000, 12);
      h.writeUInt16LE(0x5a21, 14);
      h.writeUInt32LE(r.crc >>> 0, 16);
      h.writeUInt32LE(zip64 ? U32 : r.compressedSize, 20);
      h.writeUInt32LE(zip64 ? U32 : r.uncompressedSize, 24);
      h.writeUInt16LE(r.name.length, 28);
      h.writeUInt16LE(extra.length, 30);
      h.writeUInt32LE(r.externalAttributes, 38);
      h.writeUInt32LE(zip64 ? U32 : r.offset, 42);
      this.emit(h);
      this.emit(r.name);
      this.emit(extra);
    }
    const cdSize = this.offset - cdStart;
    const zip64 = this.options.zip64 === true || this.records.length >= 0xffff || cdStart >= U32 || cdSize >= U32;
    if (zip64) {
      const recordOffset = this.offset;
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(SIG_ZIP64_EOCD, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE(45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeBigUInt64LE(BigInt(this.records.length), 24);
      rec.writeBigUInt64LE(BigInt(this.records.length), 32);
      rec.writeBigUInt64LE(BigInt(cdSize), 40);
      rec.writeBigUInt64LE(BigInt(cdStart), 48);
      this.emit(rec);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
      loc.writeBigUInt64LE(BigInt(recordOffset), 8);
      loc.writeUInt32LE(1, 16);
      this.emit(loc);
    }
    const comment = Buffer.from(this.options.comment ?? '', 'latin1');
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(SIG_EOCD, 0);
    eocd.writeUInt16LE(zip64 ? 0xffff : this.records.length, 8);
    eocd.writeUInt16LE(zip64 ? 0xffff : this.records.length, 10);
    eocd.writeUInt32LE(zip64 ? U32 : cdSize, 12);
    eocd.writeUInt32LE(zip64 ? U32 : cdStart, 16);
    eocd.writeUInt16LE(comment.length, 20);
    this.emit(eocd);
    this.emit(comment);
  }

  private emit(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.write(chunk);
    this.offset += chunk.length;
  }
}

/** Builds a whole zip in memory. */
export function buildZip(entries: readonly ZipEntrySpec[], options: ZipBuildOptions = {}): Buffer {
  const chunks: Uint8Array[] = [];
  const writer = new ZipWriter((c) => chunks.push(c), options);
  for (const e of entries) writer.add(e);
  writer.finish();
  return Buffer.concat(chunks);
}

function zip64Extra(values: readonly number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

function encodeExtra(fields: readonly { id: number; data: Uint8Array }[]): Buffer {
  return Buffer.concat(
    fields.map((f) => {
      const h = Buffer.alloc(4);
      h.writeUInt16LE(f.id, 0);
      h.writeUInt16LE(f.data.length, 2);
      return Buffer.concat([h, f.data]);
    }),
  );
}

/** The Info-ZIP Unicode Path extra field (0x7075) for a raw name. */
export function unicodePathExtra(rawName: Uint8Array, unicodeName: string): { id: number; data: Uint8Array } {
  const head = Buffer.alloc(5);
  head.writeUInt8(1, 0);
  head.writeUInt32LE(crc32(rawName), 1);
  return { id: 0x7075, data: Buffer.concat([head, Buffer.from(unicodeName, 'utf8')]) };
}
