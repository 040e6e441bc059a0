import { UPLOAD_KINDS, UploadKind } from '../../../../contract/platform-api';
import { formatBytes, parseByteSize } from '../byte-size';
import { ExitCode, type CommandIo } from '../convert-command';
import { ProgressBar } from '../progress-bar';
import { uploadStateDir } from './cli-config';
import { UsageError, runCommand, text } from './command-support';
import { uploadZip } from './uploader';

export const UPLOAD_USAGE = `usage: cdk-sagemaker-datasets upload <zip> --dataset <id> --channel <name> [--kind images|files|tfrecord] [options]

Uploads a zip to your tenant's uploads in parallel parts; the platform converts it when it is complete.
An interrupted upload (Ctrl-C, a crash, a lost network) resumes when you run the same command again.

options:
  --dataset <id>         dataset id (letters, digits, - and _)
  --channel <name>       channel, e.g. training or validation
  --kind <kind>          images (default: converted to TFRecord), files (kept as they are)
                         or tfrecord (one TFRecord file or a zip of them, CRC-checked, kept as they are)
  --part-size <size>     part size, e.g. 16MiB (default: the platform's, grown to fit 10,000 parts)
  --concurrency <n>      parts in flight at once (default 4)`;

/** `upload <zip> --dataset --channel [--kind]`. */
export function uploadCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, {
    usage: UPLOAD_USAGE,
    positionals: [1, 1],
    options: {
      dataset: { type: 'string' }, channel: { type: 'string' }, kind: { type: 'string' },
      'part-size': { type: 'string' }, concurrency: { type: 'string' },
    },
  }, async (context) => {
    const datasetId = text(context.values, 'dataset');
    const channel = text(context.values, 'channel');
    if (!datasetId || !channel) throw new UsageError('upload needs --dataset <id> and --channel <name>');
    const kind = text(context.values, 'kind') as UploadKind | undefined;
    if (kind !== undefined && !UPLOAD_KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${UPLOAD_KINDS.join(', ')}`);
    const partSizeText = text(context.values, 'part-size');
    const partSize = partSizeText === undefined ? undefined : parseByteSize(partSizeText);
    if (partSizeText !== undefined && partSize === undefined) throw new UsageError(`--part-size ${JSON.stringify(partSizeText)} is not a size like 16MiB`);
    const concurrency = Number(text(context.values, 'concurrency') ?? 4);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64');

    const client = await context.client();
    const bar = (io.stderr as { isTTY?: boolean }).isTTY === true && !context.json ? new ProgressBar(io.stderr as NodeJS.WritableStream & { columns?: number }) : undefined;
    const controller = new AbortController();
    const interrupt = () => controller.abort(new Error('interrupted'));
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      const result = await uploadZip({
        client,
        endpoint: client.endpoint,
        file: context.positionals[0],
        datasetId, channel, kind, partSize, concurrency,
        stateDir: uploadStateDir(),
        signal: controller.signal,
        onStart: ({ resumed, upload, bytesBefore }) => {
          if (!context.json) {
            void context.note(resumed
              ? `resuming upload of ${datasetId}/${channel}: ${formatBytes(bytesBefore)} of ${formatBytes(upload.size)} already uploaded\n`
              : `uploading ${formatBytes(upload.size)} to ${datasetId}/${channel} in ${upload.partCount} parts of ${formatBytes(upload.partSize)}\n`);
          }
        },
        onProgress: (p) => bar?.update({ entriesDone: p.partsDone, entriesTotal: p.partCount, bytesDone: p.bytesDone, bytesTotal: p.size, unit: 'parts', bytesBefore: p.bytesBefore }),
      });
      bar?.finish();
      await context.emit(result, `uploaded ${formatBytes(result.size)} to ${result.datasetId}/${result.channel}${result.resumed ? ' (resumed)' : ''} ` +
        `in ${result.seconds.toFixed(1)} s (${formatBytes(result.bytesPerSecond)}/s); the platform converts it now: ` +
        'watch it with `cdk-sagemaker-datasets datasets`\n');
      return ExitCode.OK;
    } catch (error) {
      bar?.finish();
      if (controller.signal.aborted) {
        await context.note('upload interrupted; run the same command again to resume\n');
        return 130;
      }
      throw error;
    } finally {
      process.removeListener('SIGINT', interrupt);
      process.removeListener('SIGTERM', interrupt);
    }
  });
}
