import { DatasetChannelRef } from '../catalog';
import { specHash, trainingJobName } from './job-naming';
import type { DatasetChannelInputMode, DatasetChannelSource, DatasetChannelSplit, TrainingJobLaunchRequest } from '../../../contract/launch-request';
import {
  DEFAULT_CHECKPOINT_LOCAL_PATH, DEFAULT_INSTANCE_COUNT, DEFAULT_MAX_RUNTIME_SECONDS, DEFAULT_VOLUME_SIZE_GB, RequestRules, defaultInputMode, defaultSource,
} from './launch-request';
import { expandSweep, hyperParameterString } from './sweep';

/** One channel of one job, every default applied. */
export interface JobChannelSpec {
  /** Whose dataset: the tenant's name or `shared`. */
  readonly owner: string;
  readonly datasetId: string;
  readonly datasetChannel: string;
  /** A pinned version from the request, or null for "what current.json points at". */
  readonly version: string | null;
  readonly source: DatasetChannelSource;
  readonly inputMode: DatasetChannelInputMode;
  readonly contentType: string | null;
  /** The part of a split version the request named; absent otherwise (so specs without it hash as before). */
  readonly split?: DatasetChannelSplit;
}

/**
 * Everything the request asks of one job, with defaults applied: what the spec hash covers. It
 * holds what the caller chose, not what the launcher resolved (a dataset version resolved from
 * current.json, subnets, keys), so retrying a request after a dataset was replaced or the platform
 * was redeployed still finds the jobs it launched.
 */
export interface JobSpec {
  /** The tenant the job runs for (its role, its job prefix, its name segment). */
  readonly tenant: string;
  readonly datasetId: string;
  readonly channels: Readonly<Record<string, JobChannelSpec>>;
  readonly trainingImage: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly volumeSizeInGB: number;
  readonly maxRuntimeInSeconds: number;
  readonly hyperParameters: Readonly<Record<string, string>>;
  readonly environment: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly checkpoints: { readonly localPath: string } | null;
  /** Managed spot training: how long the job may wait for capacity plus run; null for on-demand. */
  readonly spot: { readonly maxWaitTimeInSeconds: number } | null;
  readonly metricDefinitions: ReadonlyArray<{ readonly name: string; readonly regex: string }>;
}

/** One job of a request: its place in the sweep, its spec and the name derived from both. */
export interface PlannedJob {
  readonly index: number;
  readonly name: string;
  readonly specHash: string;
  readonly spec: JobSpec;
  /** Where the job's hyperparameters come from (`sweep.list[2]`, `sweep.grid{lr[1], batch[0]}`, `request`). */
  readonly origin: string;
}

/** Expands a valid request into its jobs, in sweep order. Pure and deterministic. */
export function planJobs(request: TrainingJobLaunchRequest, rules: Pick<RequestRules, 'tenant' | 'maxRuntimeInSeconds' | 'maxVolumeSizeInGB' | 'fileSystemAvailable' | 's3InputMode'>, jobNamePrefix: string): PlannedJob[] {
  const base = Object.fromEntries(Object.entries(request.hyperparameters ?? {}).map(([key, value]) => [key, hyperParameterString(value)]));
  const channels = Object.fromEntries(Object.entries(request.channels).map(([name, channel]) => {
    const source = channel.source ?? defaultSource(rules);
    return [name, {
      owner: channel.owner ?? rules.tenant,
      datasetId: channel.datasetId ?? request.datasetId,
      datasetChannel: channel.datasetChannel ?? name,
      version: channel.version ?? null,
      source,
      inputMode: channel.inputMode ?? defaultInputMode(source, rules),
      contentType: channel.contentType ?? null,
      ...(channel.split ? { split: channel.split } : {}),
    } satisfies JobChannelSpec];
  }));
  const checkpoints = request.checkpoints === undefined ? null
    : { localPath: request.checkpoints.localPath ?? DEFAULT_CHECKPOINT_LOCAL_PATH };
  const maxRuntimeInSeconds = request.maxRuntimeInSeconds ?? Math.min(DEFAULT_MAX_RUNTIME_SECONDS, rules.maxRuntimeInSeconds);
  const spot = request.useSpot ? { maxWaitTimeInSeconds: request.maxWaitTimeInSeconds ?? maxRuntimeInSeconds } : null;
  const metricDefinitions = (request.metricDefinitions ?? []).map(({ name, regex }) => ({ name, regex }));
  return expandSweep(request.sweep).map((point) => {
    const spec: JobSpec = {
      tenant: rules.tenant,
      datasetId: request.datasetId,
      channels,
      trainingImage: request.trainingImage,
      instanceType: request.instanceType,
      instanceCount: request.instanceCount ?? DEFAULT_INSTANCE_COUNT,
      volumeSizeInGB: request.volumeSizeInGB ?? Math.min(DEFAULT_VOLUME_SIZE_GB, rules.maxVolumeSizeInGB),
      maxRuntimeInSeconds,
      hyperParameters: { ...base, ...point.overrides },
      environment: { ...request.environment },
      tags: { ...request.tags },
      checkpoints,
      spot,
      metricDefinitions,
    };
    const hash = specHash(spec);
    return { index: point.index, name: trainingJobName(jobNamePrefix, rules.tenant, request.clientToken, point.index, hash), specHash: hash, spec, origin: point.origin };
  });
}

/** A dataset channel at a requested version (null: the current one). */
export interface DatasetChannelRequest extends DatasetChannelRef {
  readonly version: string | null;
}

/** The distinct dataset channels (and pinned versions) a set of jobs reads, in first-use order. */
export function datasetChannelsOf(jobs: readonly PlannedJob[]): DatasetChannelRequest[] {
  const seen = new Map<string, DatasetChannelRequest>();
  for (const job of jobs) {
    for (const channel of Object.values(job.spec.channels)) {
      const ref = channelRequestOf(channel);
      seen.set(datasetChannelKey(ref), seen.get(datasetChannelKey(ref)) ?? ref);
    }
  }
  return [...seen.values()];
}

/** The dataset channel (and pinned version) a job channel reads. */
export function channelRequestOf(channel: JobChannelSpec): DatasetChannelRequest {
  return { tenant: channel.owner, datasetId: channel.datasetId, channel: channel.datasetChannel, version: channel.version };
}

/** A map key for a dataset channel request. */
export function datasetChannelKey(ref: DatasetChannelRequest): string {
  return `${ref.tenant}/${ref.datasetId}/${ref.channel}@${ref.version ?? 'current'}`;
}
