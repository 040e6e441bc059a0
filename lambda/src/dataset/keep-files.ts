import { createHash } from 'node:crypto';
import type { ByteSource } from '../io/byte-source';
import { DiscardShardSink } from '../io/discard-shard-sink';
import type { ShardSink } from '../io/shard-sink';
import { crc32c, maskCrc32c } from '../tfrecord/crc32c';
import { RECORD_HEADER_BYTES } from '../tfrecord/record-framing';
import { TFRecordFormatError, TFRecordParser } from '../tfrecord/record-reader';
import { ZipArchive } from '../zip/zip-archive';
import type { ZipEntryLocation } from '../zip/zip-entry';
import { EntryDataError } from '../zip/zip-errors';
import { readZipIndex, type ZipSourceInfo } from '../zip/zip-index';
import { classifyEntries } from './classify-entries';
import type { ConvertDatasetHooks } from './convert-dataset';
import { DATA_PROBLEM_REASON } from './convert-shards';
import { DatasetError, DatasetProblem } from './dataset-errors';
import { byEntryIndex, RejectReason, type RejectedEntry, type SkippedEntry } from './entry-outcome';
import { nothingUsable, writeWhole } from './finish-conversion';
import { MANIFEST_FILE, MANIFEST_VERSION, serializeManifest, type DatasetManifest, type ManifestFile } from './manifest';
import { resolveOptions, type ConversionOptions, type ResolvedConversionOptions } from './options';
import { rejectionError } from './rejection-policy';
import { CONVERTER_NAME, CONVERTER_VERSION } from './version';

/** Bytes read from the source at a time when a single TFRecord file is copied. */
const READ_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Kinds `files` and `tfrecord`: keeps every file of the upload as it is, each under its zip path
 * (a single uploaded TFRecord file under `<channel>.tfrecord`), then writes manifest.json listing
 * each file with its size and SHA-256 (and, for TFRecord files, its record count).
 *
 * The zip gets every check the images kind applies (unsafe, undecodable, duplicate and over-long
 * names, symlinks, encryption, compression method, sizes and ratio, overlapping entries, the
 * central-directory budget), and each entry is CRC-checked. Entries are streamed: one chunk of each
 * is in memory at a time, so a multi-GB checkpoint converts in a small function. For `tfrecord`,
 * every record's length CRC and data CRC are verified as the bytes pass; a broken record rejects its
 * file with the byte offset of the record. Rejections follow `maxRejectedFraction`; on any failure
 * the sink is aborted, so nothing that looks like a version is left.
 */
export async function keepFiles(source: ByteSource, sink: ShardSink, options: ConversionOptions = {}, hooks: Pick<ConvertDatasetHooks, 'onProgress'> = {}): Promise<{ readonly manifest: DatasetManifest }> {
  const startedAt = new Date();
  const resolved = resolveOptions(options);
  if (resolved.kind === 'images') throw new DatasetError(DatasetProblem.INVALID_OPTIONS, 'invalid option: keepFiles keeps files and TFRecord files; images are converted by convertDataset');
  try {
    const kept = resolved.kind === 'tfrecord' && (await isTFRecordStream(source))
      ? await keepSingleTFRecord(source, sink, resolved, hooks)
      : await keepZipEntries(source, sink, resolved, hooks);
    const manifest = keptManifest(resolved, kept, startedAt);
    await writeWhole(sink, MANIFEST_FILE, serializeManifest(manifest));
    return { manifest };
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

interface KeptFiles {
  readonly source: ZipSourceInfo;
  readonly entryCount: number;
  readonly files: readonly ManifestFile[];
  readonly skipped: readonly SkippedEntry[];
  readonly rejected: readonly RejectedEntry[];
}

/**
 * A TFRecord file starts with a record header whose masked CRC-32C covers its first 8 bytes; a zip
 * passes that check with probability 2^-32, so the first 12 bytes tell the two apart.
 */
async function isTFRecordStream(source: ByteSource): Promise<boolean> {
  if (source.size === 0) throw new DatasetError(DatasetProblem.EMPTY_ZIP, `${source.description} is empty (0 bytes); upload a TFRecord file or a zip of them`);
  if (source.size < RECORD_HEADER_BYTES) return false;
  const header = await source.read(0, RECORD_HEADER_BYTES);
  return maskCrc32c(crc32c(header.subarray(0, 8))) === header.readUInt32LE(8);
}

async function keepSingleTFRecord(source: ByteSource, sink: ShardSink, options: ResolvedConversionOptions, hooks: Pick<ConvertDatasetHooks, 'onProgress'>): Promise<KeptFiles> {
  const path = `${options.channel}.tfrecord`;
  source.willRead?.([{ start: 0, end: source.size }]);
  let bytesDone = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < source.size; offset += READ_CHUNK_BYTES) {
      const chunk = await source.read(offset, Math.min(READ_CHUNK_BYTES, source.size - offset));
      bytesDone += chunk.length;
      hooks.onProgress?.({ entriesDone: bytesDone === source.size ? 1 : 0, entriesTotal: 1, bytesDone, bytesTotal: source.size });
      yield chunk;
    }
  }
  const outcome = await keepOne(chunks(), path, sink, true);
  const files = 'reason' in outcome ? [] : [outcome];
  const rejected = 'reason' in outcome ? [{ index: 0, name: path, ...outcome }] : [];
  if (rejected.length > 0) throw rejectionError(rejected, 1, 0) ?? nothingUsable(rejected, 1);
  return { source: { identity: source.identity, size: source.size, description: source.description }, entryCount: 1, files, skipped: [], rejected };
}

async function keepZipEntries(source: ByteSource, sink: ShardSink, options: ResolvedConversionOptions, hooks: Pick<ConvertDatasetHooks, 'onProgress'>): Promise<KeptFiles> {
  const index = await readZipIndex(source, options.limits);
  const classified = classifyEntries(index.entries, options.limits, options.kind);
  const considered = index.entries.length - classified.skipped.length;
  if (classified.layoutEntries.length === 0) throw nothingUsable(classified.rejected, considered);
  // Already too many rejections: every file is still read and checked, so the report is complete, but nothing is written.
  const doomed = rejectionError(classified.rejected, considered, options.maxRejectedFraction) !== undefined;
  const out = doomed ? new DiscardShardSink() : sink;

  const entries: ZipEntryLocation[] = [...classified.convertible].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const bytesTotal = entries.reduce((n, e) => n + e.uncompressedSize, 0);
  const files: ManifestFile[] = [];
  const rejected: RejectedEntry[] = [...classified.rejected];
  const archive = await ZipArchive.open(source, index.source.size);
  source.willRead?.(entries.map((e) => ({ start: e.localHeaderOffset, end: e.dataLimit })));
  let bytesDone = 0;
  try {
    for (const [i, entry] of entries.entries()) {
      const outcome = await keepOne(archive.streamEntry(entry), entry.name, out, options.kind === 'tfrecord');
      if ('reason' in outcome) rejected.push({ index: entry.index, name: entry.name, ...outcome });
      else files.push(outcome);
      bytesDone += entry.uncompressedSize;
      hooks.onProgress?.({ entriesDone: i + 1, entriesTotal: entries.length, bytesDone, bytesTotal });
    }
  } finally {
    archive.close();
  }
  rejected.sort(byEntryIndex);
  const tooMany = rejectionError(rejected, considered, options.maxRejectedFraction);
  if (tooMany) throw tooMany;
  if (files.length === 0) throw nothingUsable(rejected, considered);
  const accounted = classified.skipped.length + rejected.length + files.length;
  if (accounted !== index.entries.length) throw new Error(`internal error: ${accounted} entries accounted for, the zip has ${index.entries.length}`);
  return { source: index.source, entryCount: index.entries.length, files, skipped: classified.skipped, rejected };
}

type KeepOutcome = ManifestFile | { readonly reason: RejectReason; readonly detail: string };

/**
 * Copies one file to `sink` as it streams in, hashing it (and, for TFRecord files, verifying each
 * record's CRCs). A broken entry or record is returned as a rejection after its partial output is
 * discarded; anything else (a hostile archive, an I/O failure) is thrown.
 */
async function keepOne(chunks: AsyncIterable<Buffer>, path: string, sink: ShardSink, verifyRecords: boolean): Promise<KeepOutcome> {
  const writer = await sink.open(path);
  const hash = createHash('sha256');
  const parser = verifyRecords ? new TFRecordParser() : undefined;
  let bytes = 0;
  let records = 0;
  try {
    for await (const chunk of chunks) {
      hash.update(chunk);
      bytes += chunk.length;
      if (parser) {
        parser.push(chunk);
        while (parser.next()) records++;
      }
      await writer.write(chunk);
    }
    parser?.finish();
    await writer.finish();
  } catch (err) {
    await writer.abort();
    if (err instanceof EntryDataError) return { reason: DATA_PROBLEM_REASON[err.problem], detail: err.detail };
    if (err instanceof TFRecordFormatError) return { reason: RejectReason.CORRUPT_RECORD, detail: `${err.message} (the file is ${bytes} bytes so far; it is not kept)` };
    throw err;
  }
  return { path, bytes, sha256: hash.digest('hex'), ...(parser ? { records } : {}) };
}

function keptManifest(options: ResolvedConversionOptions, kept: KeptFiles, startedAt: Date): DatasetManifest {
  const finishedAt = new Date();
  return {
    manifestVersion: MANIFEST_VERSION,
    kind: options.kind,
    converter: { name: CONVERTER_NAME, version: CONVERTER_VERSION },
    source: { ...kept.source.identity, size: kept.source.size },
    options,
    labeled: false,
    wrapperFolder: null,
    classNames: [],
    classes: [],
    labelsFile: null,
    split: null,
    records: kept.files.reduce((n, f) => n + (f.records ?? 0), 0),
    shards: [],
    files: kept.files,
    entries: { total: kept.entryCount, converted: kept.files.length, skipped: kept.skipped.length, rejected: kept.rejected.length },
    skipped: kept.skipped,
    rejected: kept.rejected,
    timing: { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime() },
  };
}
