import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  JobArtifactsResponse, JobDescription, LaunchJobsResponse, ListDatasetsResponse, ListJobsResponse, ReadLogsResponse, StopJobResponse,
} from '../../../../contract/platform-api';
import { LaunchedTrainingJobStatus, TrainingJobLaunchOutcome } from '../../../../contract/launch-request';
import { formatBytes } from '../byte-size';
import { ExitCode, type CommandIo } from '../convert-command';
import { ProgressBar } from '../progress-bar';
import { PlatformApiClient } from './api-client';
import { CommandContext, OptionValues, UsageError, runCommand, text, texts } from './command-support';
import { channelLine } from './datasets-command';

const TERMINAL = new Set(['Completed', 'Failed', 'Stopped']);

/** Seconds between polls of --wait and --follow ($CDK_SAGEMAKER_DATASETS_POLL_SECONDS overrides; tests poll fast). */
function pollMs(values: OptionValues): number {
  const seconds = Number(text(values, 'interval') ?? process.env.CDK_SAGEMAKER_DATASETS_POLL_SECONDS ?? 10);
  if (!(seconds > 0)) throw new UsageError('--interval must be a positive number of seconds');
  return seconds * 1000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jobPath = (name: string) => `/jobs/${encodeURIComponent(name)}`;

export const TRAIN_USAGE = `usage: cdk-sagemaker-datasets train <request.json> [--wait]
       cdk-sagemaker-datasets train --dataset <id> --channel <name>[=<dataset channel>] --image <uri> --instance-type <type> [options]

Launches training jobs on your tenant's datasets: one request, one job per hyperparameter set of the sweep.
The request is the launcher's JSON (clientToken, datasetId, channels, trainingImage, instanceType,
hyperparameters, sweep, …) or is built from the options. A repeated clientToken launches nothing twice.

options:
  --dataset <id>                dataset id
  --channel <name>[=<channel>]  an input channel (repeatable); reads dataset channel <channel> (default <name>)
  --image <uri>                 training image (<ECR repository URI>:<tag> or @sha256:<digest>)
  --instance-type <type>        e.g. ml.g5.xlarge
  --instance-count <n>          instances per job (default 1)
  --hp <key>=<value>            a hyperparameter (repeatable)
  --grid <key>=<v1>,<v2>,…      sweep over these values (repeatable: the grid is their product)
  --max-runtime <seconds>       MaxRuntimeInSeconds of each job
  --client-token <token>        the request's idempotency token (default: generated)
  --wait                        wait for the dataset's conversion, then stream the jobs' status until they end
  --interval <seconds>          seconds between status polls with --wait (default 10)
exit status: 0 launched (with --wait: every job completed), 1 rejected or a job failed or stopped, 2 usage, 3 other failure`;

export function trainCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, {
    usage: TRAIN_USAGE,
    positionals: [0, 1],
    options: {
      dataset: { type: 'string' }, channel: { type: 'string', multiple: true }, image: { type: 'string' },
      'instance-type': { type: 'string' }, 'instance-count': { type: 'string' }, hp: { type: 'string', multiple: true },
      grid: { type: 'string', multiple: true }, 'max-runtime': { type: 'string' }, 'client-token': { type: 'string' },
      wait: { type: 'boolean', default: false }, interval: { type: 'string' },
    },
  }, async (context) => {
    const request = await buildRequest(context);
    const wait = context.values.wait === true;
    const interval = pollMs(context.values);
    const client = await context.client();
    if (wait) {
      const ready = await waitForDatasets(context, client, request, interval);
      if (!ready) return ExitCode.REJECTED_INPUT;
    }
    const launched = await client.post<LaunchJobsResponse>('/jobs', request);
    if (launched.outcome === TrainingJobLaunchOutcome.REJECTED) {
      await context.emit(launched, `the request was rejected:\n${launched.errors.map((error) => `  ${error.path}: ${error.message}`).join('\n')}\n`);
      return ExitCode.REJECTED_INPUT;
    }
    if (!context.json) {
      await context.note(`${launched.outcome}: ${launched.jobs.length} job${launched.jobs.length === 1 ? '' : 's'} of sweep ${launched.clientToken}\n` +
        launched.jobs.map((job) => `  ${job.name}  ${job.status}${job.reason ? `: ${job.reason}` : ''}\n`).join(''));
    }
    if (!wait || launched.outcome === TrainingJobLaunchOutcome.FAILED) {
      await context.emit(launched, '');
      return launched.outcome === TrainingJobLaunchOutcome.LAUNCHED ? ExitCode.OK : ExitCode.REJECTED_INPUT;
    }
    const final = await watchSweep(context, client, launched.clientToken, launched.jobs.filter((job) => job.status !== LaunchedTrainingJobStatus.FAILED).map((job) => job.name), interval);
    await context.emit({ launch: launched, jobs: final }, '');
    return final.every((job) => job.status === 'Completed') && launched.outcome === TrainingJobLaunchOutcome.LAUNCHED ? ExitCode.OK : ExitCode.REJECTED_INPUT;
  });
}

async function buildRequest(context: CommandContext<OptionValues>): Promise<Record<string, unknown>> {
  const { values, positionals } = context;
  let request: Record<string, unknown>;
  if (positionals.length === 1) {
    try {
      request = JSON.parse(await readFile(positionals[0], 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`cannot read the request ${positionals[0]}: ${(error as Error).message}`);
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new UsageError(`${positionals[0]} must hold a JSON object`);
  } else {
    const datasetId = text(values, 'dataset');
    const image = text(values, 'image');
    const instanceType = text(values, 'instance-type');
    const channelSpecs = texts(values, 'channel');
    if (!datasetId || !image || !instanceType || channelSpecs.length === 0) {
      throw new UsageError('train needs <request.json>, or --dataset, --channel, --image and --instance-type');
    }
    const channels = Object.fromEntries(channelSpecs.map((spec) => {
      const [name, datasetChannel] = spec.split('=');
      return [name, datasetChannel ? { datasetChannel } : {}];
    }));
    request = { datasetId, channels, trainingImage: image, instanceType };
    if (text(values, 'instance-count')) request.instanceCount = Number(text(values, 'instance-count'));
    if (text(values, 'max-runtime')) request.maxRuntimeInSeconds = Number(text(values, 'max-runtime'));
    const hyperparameters = keyValues(texts(values, 'hp'), '--hp');
    if (Object.keys(hyperparameters).length > 0) request.hyperparameters = hyperparameters;
    const grid = Object.fromEntries(Object.entries(keyValues(texts(values, 'grid'), '--grid')).map(([key, list]) => [key, list.split(',')]));
    if (Object.keys(grid).length > 0) request.sweep = { grid };
  }
  const token = text(values, 'client-token');
  if (token) request.clientToken = token;
  request.clientToken ??= `cli-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
  return request;
}

function keyValues(items: string[], flag: string): Record<string, string> {
  return Object.fromEntries(items.map((item) => {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} ${JSON.stringify(item)} must be <key>=<value>`);
    return [item.slice(0, at), item.slice(at + 1)];
  }));
}

/** Waits until every dataset channel the request reads is ready; false when one failed. */
async function waitForDatasets(context: CommandContext<OptionValues>, client: PlatformApiClient, request: Record<string, unknown>, interval: number): Promise<boolean> {
  const channels = Object.entries((request.channels ?? {}) as Record<string, { datasetId?: string; datasetChannel?: string }>)
    .map(([name, channel]) => ({ datasetId: channel.datasetId ?? String(request.datasetId), channel: channel.datasetChannel ?? name }));
  const last = new Map<string, string>();
  for (;;) {
    const answer = await client.get<ListDatasetsResponse>('/datasets');
    let waiting = false;
    for (const wanted of channels) {
      const summary = answer.datasets.find((dataset) => dataset.datasetId === wanted.datasetId)?.channels.find((channel) => channel.channel === wanted.channel);
      const key = `${wanted.datasetId}/${wanted.channel}`;
      if (!summary) continue; // Not uploaded at all: the launch names it.
      const line = channelLine(summary);
      if (!context.json && last.get(key) !== line) await context.note(`dataset ${wanted.datasetId} ${line}\n`);
      last.set(key, line);
      if (summary.status === 'failed') return false;
      if (summary.status !== 'ready') waiting = true;
    }
    if (!waiting) return true;
    await sleep(interval);
  }
}

/** Polls the sweep's jobs and prints each status change until every job has ended. */
async function watchSweep(context: CommandContext<OptionValues>, client: PlatformApiClient, sweep: string, names: string[], interval: number): Promise<JobDescription[]> {
  const last = new Map<string, string>();
  for (;;) {
    const jobs = await Promise.all(names.map((name) => client.get<JobDescription>(jobPath(name))));
    for (const job of jobs) {
      const line = `${job.status}${job.secondaryStatus ? `/${job.secondaryStatus}` : ''}${job.failureReason ? `: ${job.failureReason}` : ''}`;
      if (!context.json && last.get(job.name) !== line) await context.note(`${new Date().toISOString()}  ${job.name}  ${line}\n`);
      last.set(job.name, line);
    }
    if (jobs.every((job) => TERMINAL.has(job.status))) {
      if (!context.json) {
        const metrics = jobs.flatMap((job) => job.metrics.map((metric) => `  ${job.name}  ${metric.name} = ${metric.value}`));
        await context.note(`sweep ${sweep} ended${metrics.length > 0 ? `; final metrics:\n${metrics.join('\n')}` : ''}\n`);
      }
      return jobs;
    }
    await sleep(interval);
  }
}

export const JOBS_USAGE = `usage: cdk-sagemaker-datasets jobs [--sweep <client token>] [--limit <n>]

Lists your tenant's training jobs, newest first (only one sweep's with --sweep).`;

export function jobsCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, { usage: JOBS_USAGE, positionals: [0, 0], options: { sweep: { type: 'string' }, limit: { type: 'string' } } }, async (context) => {
    const answer = await (await context.client()).get<ListJobsResponse>('/jobs', { sweep: text(context.values, 'sweep'), limit: text(context.values, 'limit') });
    await context.emit(answer, answer.jobs.length === 0 ? 'no training jobs\n'
      : `${answer.jobs.map((job) => `${job.name}  ${job.status}${job.secondaryStatus ? `/${job.secondaryStatus}` : ''}  ${job.createdAt ?? ''}  sweep ${job.sweep ?? '-'}`).join('\n')}\n`);
    return ExitCode.OK;
  });
}

export const STATUS_USAGE = `usage: cdk-sagemaker-datasets status <job>

Shows a training job: status, the history of its secondary status, final metrics and its model.`;

export function statusCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, { usage: STATUS_USAGE, positionals: [1, 1], options: {} }, async (context) => {
    const job = await (await context.client()).get<JobDescription>(jobPath(context.positionals[0]));
    const lines = [
      `${job.name}  ${job.status}${job.secondaryStatus ? `/${job.secondaryStatus}` : ''}`,
      ...(job.failureReason ? [`failure: ${job.failureReason}`] : []),
      `instance ${job.instanceType ?? '-'} x ${job.instanceCount ?? '-'}, created ${job.createdAt ?? '-'}, sweep ${job.sweep ?? '-'}`,
      `hyperparameters: ${Object.entries(job.hyperparameters).map(([key, value]) => `${key}=${value}`).join(' ') || '-'}`,
      'history:',
      ...job.statusHistory.map((entry) => `  ${entry.startedAt ?? ''}  ${entry.status}${entry.message ? `  ${entry.message}` : ''}`),
      ...(job.metrics.length > 0 ? ['final metrics:', ...job.metrics.map((metric) => `  ${metric.name} = ${metric.value}`)] : []),
      ...(job.modelArtifactUri ? [`model: ${job.modelArtifactUri}`] : []),
    ];
    await context.emit(job, `${lines.join('\n')}\n`);
    return ExitCode.OK;
  });
}

export const STOP_USAGE = `usage: cdk-sagemaker-datasets stop <job>

Stops a running training job (a job that has ended is left as it is).`;

export function stopCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, { usage: STOP_USAGE, positionals: [1, 1], options: {} }, async (context) => {
    const answer = await (await context.client()).post<StopJobResponse>(`${jobPath(context.positionals[0])}/stop`, {});
    await context.emit(answer, answer.status === 'Stopping' ? `stopping ${answer.name}\n` : `${answer.name} had already ended: ${answer.status}\n`);
    return ExitCode.OK;
  });
}

export const LOGS_USAGE = `usage: cdk-sagemaker-datasets logs <job> [--follow] [--interval <seconds>]

Prints a training job's log lines (every instance's, by time); --follow keeps printing new lines
until the job ends. With --json, one JSON object per line.`;

export function logsCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, { usage: LOGS_USAGE, positionals: [1, 1], options: { follow: { type: 'boolean', default: false }, interval: { type: 'string' } } }, async (context) => {
    const client = await context.client();
    const name = context.positionals[0];
    const follow = context.values.follow === true;
    const interval = follow ? pollMs({ interval: text(context.values, 'interval') ?? process.env.CDK_SAGEMAKER_DATASETS_POLL_SECONDS ?? '2' }) : 0;
    let cursor: string | undefined;
    let ended = false;
    for (;;) {
      const page: ReadLogsResponse = await client.get<ReadLogsResponse>(`${jobPath(name)}/logs`, { cursor });
      cursor = page.cursor;
      for (const line of page.lines) {
        await new Promise<void>((resolve, reject) => context.io.stdout.write(context.json ? `${JSON.stringify(line)}\n` : `${line.timestamp} ${line.message}\n`,
          (error) => (error ? reject(error) : resolve())));
      }
      if (page.lines.length > 0) continue; // More may be waiting right now.
      if (!follow || ended) return ExitCode.OK;
      // Drain once more after the job ends: SageMaker writes the last lines as it finishes.
      ended = TERMINAL.has((await client.get<JobDescription>(jobPath(name))).status);
      if (!ended) await sleep(interval);
    }
  });
}

export const DOWNLOAD_USAGE = `usage: cdk-sagemaker-datasets download <job> --to <dir> [--output]

Downloads a finished job's model (model.tar.gz), and with --output also its output.tar.gz, into <dir>.`;

export function downloadCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, { usage: DOWNLOAD_USAGE, positionals: [1, 1], options: { to: { type: 'string' }, output: { type: 'boolean', default: false } } }, async (context) => {
    const dir = text(context.values, 'to');
    if (!dir) throw new UsageError('download needs --to <dir>');
    const name = context.positionals[0];
    const links = await (await context.client()).get<JobArtifactsResponse>(`${jobPath(name)}/artifacts`);
    const wanted = [{ what: 'model', link: links.model }, ...(context.values.output === true ? [{ what: 'output', link: links.output }] : [])];
    const missing = wanted.filter((item) => !item.link.url);
    if (missing.length > 0) {
      throw new Error(`job ${name} (${links.status}) has no ${missing.map((item) => `${item.what} (${item.link.uri})`).join(' and ')} yet`);
    }
    await mkdir(dir, { recursive: true });
    const files: { what: string; path: string; size: number }[] = [];
    for (const item of wanted) {
      const fileName = `${name}-${item.link.uri.slice(item.link.uri.lastIndexOf('/') + 1)}`;
      const path = join(dir, fileName);
      const size = await downloadFile(item.link.url!, path, item.link.size ?? 0, context);
      files.push({ what: item.what, path, size });
    }
    await context.emit({ name, files }, files.map((file) => `downloaded ${file.what} ${formatBytes(file.size)} to ${file.path}\n`).join(''));
    return ExitCode.OK;
  });
}

async function downloadFile(url: string, path: string, expected: number, context: CommandContext<OptionValues>): Promise<number> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`downloading ${path} failed: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
  const total = Number(response.headers.get('content-length') ?? expected) || expected;
  const bar = (context.io.stderr as { isTTY?: boolean }).isTTY === true && !context.json ? new ProgressBar(context.io.stderr as NodeJS.WritableStream & { columns?: number }) : undefined;
  let done = 0;
  const temp = `${path}.part`;
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    done += chunk.length;
    bar?.update({ entriesDone: 0, entriesTotal: 1, bytesDone: done, bytesTotal: total, unit: 'files' });
  });
  try {
    await pipeline(body, createWriteStream(temp));
  } catch (error) {
    bar?.finish();
    await rm(temp, { force: true });
    throw error;
  }
  bar?.update({ entriesDone: 1, entriesTotal: 1, bytesDone: done, bytesTotal: total, unit: 'files' });
  bar?.finish();
  if (total > 0 && done !== total) {
    await rm(temp, { force: true });
    throw new Error(`downloading ${path} stopped at ${done} of ${total} bytes; run download again`);
  }
  await rename(temp, path);
  return done;
}
