import { createReadStream } from 'node:fs';
import { readImageHeader } from '../images/image-header';
import { decodeExampleEntries, type Feature, type FeatureEntry } from '../tfrecord/example';
import { readTFRecords, TFRecordFormatError } from '../tfrecord/record-reader';

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const USAGE = 'usage: cdk-sagemaker-datasets inspect <file.tfrecord> [--json] [--limit N]';
const MAX_LIST_VALUES = 10;
const MAX_TEXT_CHARS = 80;
const HEX_PREVIEW_BYTES = 16;

interface InspectArgs {
  readonly file: string;
  readonly json: boolean;
  readonly limit: number;
}

/**
 * `inspect <file.tfrecord> [--json] [--limit N]`: streams the file, verifies every CRC and prints
 * each record's decoded tf.train.Example (the first N with --limit; all are still verified).
 * Exit code 0 when the file is intact, 1 when it is corrupt or unreadable, 2 on usage errors.
 */
export async function inspectCommand(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed === 'help') {
    await write(io.stdout, `${USAGE}\n`);
    return 0;
  }
  if (typeof parsed === 'string') {
    await write(io.stderr, `inspect: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  const { file, json, limit } = parsed;

  const shown: RecordSummary[] = [];
  let records = 0;
  let bytes = 0;
  let notExamples = 0;
  try {
    const stream = createReadStream(file);
    const counted = (async function* () {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        yield chunk;
      }
    })();
    for await (const record of readTFRecords(counted)) {
      records++;
      const summary = summarizeRecord(record.index, record.offset, record.data);
      if (summary.error !== undefined) notExamples++;
      if (record.index < limit) {
        if (json) shown.push(summary);
        else await write(io.stdout, formatRecord(summary));
      }
    }
  } catch (err) {
    const message = errorMessage(err);
    const location = err instanceof TFRecordFormatError ? { problem: err.problem, recordIndex: err.recordIndex, offset: err.offset } : {};
    if (json) await write(io.stdout, `${JSON.stringify({ file, error: { message, ...location }, recordsVerified: records, records: shown.map(recordJson) }, null, 2)}\n`);
    await write(io.stderr, `inspect: ${file}: ${message}\n`);
    return 1;
  }

  const summary = { records, bytes, crcsVerified: true, notExamples };
  if (json) {
    await write(io.stdout, `${JSON.stringify({ file, summary, records: shown.map(recordJson) }, null, 2)}\n`);
  } else {
    const undecodable = notExamples > 0 ? `, ${notExamples} not decodable as tf.train.Example` : '';
    await write(io.stdout, `${records} records, ${bytes} bytes, all CRCs verified${undecodable}\n`);
  }
  return 0;
}

function parseArgs(argv: readonly string[]): InspectArgs | 'help' | string {
  let file: string | undefined;
  let json = false;
  let limit = Infinity;
  let flagsDone = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!flagsDone && arg === '--') {
      flagsDone = true;
    } else if (!flagsDone && (arg === '--help' || arg === '-h')) {
      return 'help';
    } else if (!flagsDone && arg === '--json') {
      json = true;
    } else if (!flagsDone && (arg === '--limit' || arg.startsWith('--limit='))) {
      const value = arg === '--limit' ? argv[++i] : arg.slice('--limit='.length);
      if (value === undefined || !/^\d+$/.test(value)) return `--limit needs a non-negative integer, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`;
      limit = Number(value);
    } else if (!flagsDone && arg.startsWith('-') && arg !== '-') {
      return `unknown option ${JSON.stringify(arg)}`;
    } else if (file === undefined) {
      file = arg;
    } else {
      return `unexpected argument ${JSON.stringify(arg)} (one file at a time)`;
    }
  }
  if (file === undefined) return 'missing <file.tfrecord> argument';
  return { file, json, limit };
}

interface RecordSummary {
  readonly index: number;
  readonly offset: number;
  readonly bytes: number;
  readonly features?: readonly FeatureEntry[];
  readonly error?: string;
}

function summarizeRecord(index: number, offset: number, data: Buffer): RecordSummary {
  try {
    return { index, offset, bytes: data.length, features: decodeExampleEntries(data) };
  } catch (err) {
    return { index, offset, bytes: data.length, error: `not a tf.train.Example: ${errorMessage(err)}` };
  }
}

function formatRecord(r: RecordSummary): string {
  const lines = [`#${r.index}  offset ${r.offset}  ${r.bytes} bytes`];
  if (r.error !== undefined) lines.push(`  ${r.error}`);
  const width = Math.max(0, ...(r.features ?? []).map(([key]) => JSON.stringify(key).length));
  for (const [key, feature] of r.features ?? []) {
    const { kind, values } = describeFeature(feature);
    const shownValues = values.slice(0, MAX_LIST_VALUES).join(', ');
    const more = values.length > MAX_LIST_VALUES ? `, … (${values.length - MAX_LIST_VALUES} more)` : '';
    lines.push(`  ${JSON.stringify(key).padEnd(width)}  ${kind}[${values.length}]: ${shownValues}${more}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeFeature(feature: Feature): { kind: string; values: string[] } {
  if ('bytesList' in feature) return { kind: 'bytes', values: feature.bytesList.map(describeBytes) };
  if ('int64List' in feature) return { kind: 'int64', values: feature.int64List.map(String) };
  return { kind: 'float', values: feature.floatList.map(formatFloat32) };
}

function describeBytes(value: Uint8Array): string {
  const text = printableText(value);
  if (text !== undefined) return JSON.stringify(text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS)}…` : text);
  const preview = Buffer.from(value.subarray(0, HEX_PREVIEW_BYTES)).toString('hex');
  const image = imageNote(value);
  return `<${value.length} bytes ${preview}${value.length > HEX_PREVIEW_BYTES ? '…' : ''}${image ? ` ${image}` : ''}>`;
}

function recordJson(r: RecordSummary): object {
  return {
    index: r.index,
    offset: r.offset,
    bytes: r.bytes,
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(r.features ? { features: r.features.map(([key, feature]) => ({ key, ...featureJson(feature) })) } : {}),
  };
}

function featureJson(feature: Feature): object {
  if ('int64List' in feature) {
    return { kind: 'int64_list', values: feature.int64List.map((v) => (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString())) };
  }
  if ('floatList' in feature) {
    return { kind: 'float_list', values: feature.floatList.map((v) => (Number.isFinite(v) ? Number(formatFloat32(v)) : String(v))) };
  }
  return {
    kind: 'bytes_list',
    values: feature.bytesList.map((value) => {
      const text = printableText(value);
      const image = imageNote(value);
      return {
        length: value.length,
        ...(text !== undefined ? { utf8: text } : { hexPreview: Buffer.from(value.subarray(0, HEX_PREVIEW_BYTES)).toString('hex') }),
        ...(image ? { image } : {}),
      };
    }),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The value as text when it is valid UTF-8 without control characters (other than tab/newline). */
function printableText(value: Uint8Array): string | undefined {
  if (value.length > 4096) return undefined;
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) ? undefined : text;
}

function imageNote(value: Uint8Array): string | undefined {
  try {
    const h = readImageHeader(value);
    return `(${h.format} ${h.width}x${h.height}${h.channels === undefined ? '' : `x${h.channels}`})`;
  } catch {
    return undefined;
  }
}

/** Shortest decimal that reads back as the same float32 (3.14f prints as 3.14, not 3.140000104904175). */
function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let digits = 1; digits < 9; digits++) {
    const s = Number(v.toPrecision(digits));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

/** Node's own errors can come from another realm (e.g. under jest), so don't rely on instanceof Error. */
function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  return String(err);
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
