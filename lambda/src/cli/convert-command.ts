import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DatasetError, DatasetProblem } from '../dataset/dataset-errors';
import { convertUpload } from '../dataset/convert-dataset';
import type { RejectedEntry } from '../dataset/entry-outcome';
import type { DatasetManifest } from '../dataset/manifest';
import { DEFAULT_CHANNEL, type ConversionOptions, type DatasetKind } from '../dataset/options';
import { isValidationFraction, VALIDATION_FRACTION_RULE } from '../dataset/validation-split';
import { DATASET_KINDS } from '../../../contract/key-layout';
import { DirectoryShardSink } from '../io/directory-shard-sink';
import { FileByteSource } from '../io/file-byte-source';
import { ZipFormatError } from '../zip/zip-errors';
import { formatBytes, parseByteSize } from './byte-size';
import { ProgressBar } from './progress-bar';

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export enum ExitCode {
  OK = 0,
  /** The zip is hostile, unreadable or not an acceptable dataset. */
  REJECTED_INPUT = 1,
  USAGE = 2,
  /** Anything not caused by the input: I/O errors on the output, internal errors. */
  FAILURE = 3,
}

export const CONVERT_USAGE = `usage: cdk-sagemaker-datasets convert <input> --out <dir> [--kind images|files|tfrecord] [options]

Converts an upload into a dataset version in <dir>, as the platform does, with manifest.json last:
  images    (default) a zip of images (one folder per class, or all at the top level for an
            unlabeled dataset) → TFRecord shards of tf.train.Example records and labels.txt
  files     a zip of files (checkpoints, configs, pretrained weights) → each file at its zip path
  tfrecord  a .tfrecord file or a zip of them → every record's CRCs verified, each file kept byte
            for byte at its zip path (a single file as <channel>.tfrecord); a corrupted record
            exits 1 naming the file and its byte offset

options:
  --out <dir>                    output directory; must be empty or not exist (required)
  --kind <kind>                  images, files or tfrecord (default images)
  --channel <name>               shard name prefix (default ${DEFAULT_CHANNEL})
  --shard-size <size>            target image bytes per shard, e.g. 128MiB, 500MB (default 128MiB)
  --seed <n>                     seed of the shard shuffle, 0..4294967295 (default 0)
  --max-rejected-fraction <f>    accept up to this fraction of rejected entries (default 0)
  --validation-fraction <f>      images only: hold out this fraction (0 < f <= 0.5) of each class
                                 in <dir>/validation/, the rest in <dir>/training/, chosen by a
                                 hash of each image's path and --seed (the same zip gives the same
                                 split; per class round(n × f), ties to training, at least one
                                 image on each side for a class of two or more)
  --json                         print exactly one JSON document on stdout: the manifest,
                                 or {"error": {...}, "rejected": [...]}
  -h, --help                     show this help

exit status: 0 converted, 1 input rejected, 2 usage error, 3 other failure
`;

class UsageError extends Error {}

interface ConvertArgs {
  /** The input file: a zip, or for kind tfrecord a TFRecord file. */
  readonly zip: string;
  readonly out: string;
  readonly json: boolean;
  readonly options: ConversionOptions;
}

export async function convertCommand(argv: string[], io: CommandIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  let args: ConvertArgs | 'help';
  try {
    args = parseConvertArgs(argv);
  } catch (err) {
    return fail(io, wantsJson, ExitCode.USAGE, 'usage', `${errorMessage(err)}\n\n${CONVERT_USAGE}`, []);
  }
  if (args === 'help') {
    await write(io.stdout, CONVERT_USAGE);
    return ExitCode.OK;
  }

  let source: FileByteSource;
  try {
    if (!(await stat(args.zip)).isFile()) throw new Error(`${args.zip} is not a file`);
    source = await FileByteSource.open(args.zip);
  } catch (err) {
    return fail(io, args.json, ExitCode.USAGE, 'usage', `cannot open ${args.zip}: ${errorMessage(err)}`, []);
  }
  try {
    let sink: DirectoryShardSink;
    try {
      sink = await DirectoryShardSink.create(args.out);
    } catch (err) {
      return await fail(io, args.json, ExitCode.USAGE, 'usage', errorMessage(err), []);
    }
    const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const bar = tty ? new ProgressBar(io.stderr) : undefined;
    let manifest: DatasetManifest;
    try {
      ({ manifest } = await convertUpload(source, sink, args.options, { onProgress: (p) => bar?.update(p) }));
    } finally {
      bar?.finish();
    }
    if (args.json) await write(io.stdout, `${JSON.stringify(manifest, null, 2)}\n`);
    else await write(io.stdout, summary(manifest, args.out));
    return ExitCode.OK;
  } catch (err) {
    if (err instanceof ZipFormatError) return fail(io, args.json, ExitCode.REJECTED_INPUT, err.problem, err.message, []);
    if (err instanceof DatasetError) {
      const code = err.problem === DatasetProblem.INVALID_OPTIONS ? ExitCode.USAGE : ExitCode.REJECTED_INPUT;
      return fail(io, args.json, code, err.problem, err.message, err.rejected);
    }
    return fail(io, args.json, ExitCode.FAILURE, 'failure', errorMessage(err), []);
  } finally {
    await source.close();
  }
}

function parseConvertArgs(argv: string[]): ConvertArgs | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      kind: { type: 'string' },
      channel: { type: 'string' },
      'shard-size': { type: 'string' },
      seed: { type: 'string' },
      'max-rejected-fraction': { type: 'string' },
      'validation-fraction': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing <input>' : `expected one <input>, got ${positionals.length}: ${positionals.join(' ')}`);
  if (!values.out) throw new UsageError('missing --out <dir>');
  const options: { -readonly [K in keyof ConversionOptions]: ConversionOptions[K] } = {};
  if (values.kind !== undefined) {
    if (!(DATASET_KINDS as readonly string[]).includes(values.kind)) throw new UsageError(`--kind must be one of ${DATASET_KINDS.join(', ')} (got ${JSON.stringify(values.kind)})`);
    options.kind = values.kind as DatasetKind;
  }
  if (values.channel !== undefined) options.channel = values.channel;
  if (values['shard-size'] !== undefined) {
    const bytes = parseByteSize(values['shard-size']);
    if (bytes === undefined) throw new UsageError(`--shard-size ${JSON.stringify(values['shard-size'])} is not a size like 128MiB or 500MB`);
    options.targetShardBytes = bytes;
  }
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed) || Number(values.seed) > 0xffffffff) throw new UsageError(`--seed must be an integer from 0 to 4294967295`);
    options.seed = Number(values.seed);
  }
  if (values['max-rejected-fraction'] !== undefined) {
    const f = Number(values['max-rejected-fraction']);
    if (!(f >= 0 && f <= 1)) throw new UsageError('--max-rejected-fraction must be a number from 0 to 1');
    options.maxRejectedFraction = f;
  }
  if (values['validation-fraction'] !== undefined) {
    const f = Number(values['validation-fraction']);
    if (!isValidationFraction(f) || values['validation-fraction'].trim() === '') throw new UsageError(`--validation-fraction must be ${VALIDATION_FRACTION_RULE} (got ${JSON.stringify(values['validation-fraction'])})`);
    if ((options.kind ?? 'images') !== 'images') throw new UsageError(`--validation-fraction splits images by class; --kind ${options.kind} keeps files as uploaded and cannot be split`);
    options.validationFraction = f;
  }
  return { zip: positionals[0], out: values.out, json: values.json === true, options };
}

const MAX_LISTED = 50;

async function fail(io: CommandIo, json: boolean, exitCode: ExitCode, code: string, message: string, rejected: readonly RejectedEntry[]): Promise<number> {
  if (json) {
    await write(io.stdout, `${JSON.stringify({ error: { code, message }, rejected }, null, 2)}\n`);
  } else {
    const lines = [`error: ${message}`];
    for (const r of rejected.slice(0, MAX_LISTED)) lines.push(`  rejected ${JSON.stringify(r.name)} (${r.reason}): ${r.detail}`);
    if (rejected.length > MAX_LISTED) lines.push(`  ... and ${rejected.length - MAX_LISTED} more (use --json for the full list)`);
    await write(io.stderr, `${lines.join('\n')}\n`);
  }
  return exitCode;
}

function summary(m: DatasetManifest, out: string): string {
  if (m.kind !== 'images') {
    const bytes = m.files.reduce((n, f) => n + f.bytes, 0);
    const what = m.kind === 'tfrecord' ? `${m.records} records in ${m.files.length} TFRecord file${m.files.length === 1 ? '' : 's'}, every CRC verified` : `${m.files.length} file${m.files.length === 1 ? '' : 's'}`;
    return (
      `kept ${what} (${formatBytes(bytes)}) in ${resolve(out)}\n` +
      `entries: ${m.entries.total} total, ${m.entries.converted} kept, ${m.entries.skipped} skipped, ${m.entries.rejected} rejected; ${(m.timing.durationMs / 1000).toFixed(1)} s\n`
    );
  }
  const bytes = m.shards.reduce((n, s) => n + s.bytes, 0);
  const what = m.labeled ? `labeled, ${m.classNames.length} class${m.classNames.length === 1 ? '' : 'es'}` : 'unlabeled';
  const split = m.split
    ? `split ${m.split.fraction} by class: ${m.split.training.records} training images (${plural(m.split.training.shards, 'shard')} in training/), ` +
      `${m.split.validation.records} validation images (${plural(m.split.validation.shards, 'shard')} in validation/)\n`
    : '';
  return (
    `converted ${m.records} images into ${m.shards.length} shard${m.shards.length === 1 ? '' : 's'} (${formatBytes(bytes)}, ${what}) in ${resolve(out)}\n` + split +
    `entries: ${m.entries.total} total, ${m.entries.converted} converted, ${m.entries.skipped} skipped, ${m.entries.rejected} rejected; ${(m.timing.durationMs / 1000).toFixed(1)} s\n`
  );
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((done, reject) => stream.write(text, (err) => (err ? reject(err) : done())));
}
