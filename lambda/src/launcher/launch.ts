import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import { errorCode, errorMessage, isResourceInUse, isResourceLimitExceeded, isRetryableError } from './aws-errors';
import { TrainingJobApi } from './aws-clients';
import { BuildContext, RequestBuildError, buildCreateTrainingJobRequest, checkCreateTrainingJobRequest, jobArtifactsUri, modelArtifactUri } from './build-request';
import { ObjectReader, ResolvedDatasetChannel, resolveDatasets } from './dataset-resolution';
import { clientTokenConflict } from './client-token-conflict';
import { boundErrors, formatPath, uniqueErrors } from './field-errors';
import { PlannedJob, channelRequestOf, datasetChannelKey, planJobs } from './job-plan';
import { validateLaunchRequest } from './launch-request';
import { PLATFORM_TAGS } from '../../../contract/launcher';
import { tenantJobNamePrefix } from '../../../contract/launcher';
import { TenantDescriptor } from '../../../contract/tenant-directory';
import { LauncherConfig, requestRules } from './launcher-config';
import { DEFAULT_RETRY_POLICY, REAL_RETRY_ENVIRONMENT, RetryEnvironment, RetryPolicy, withRetry } from './retry';
import { LaunchedTrainingJobStatus, TrainingJobLaunchOutcome } from '../../../contract/launch-request';
import type { LaunchRequestFieldError, LaunchedTrainingJob, LaunchResponse } from '../../../contract/launch-request';

/** A minimal structured logger (Powertools' Logger fits). */
export interface LaunchLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

/** What {@link launchTrainingJobs} talks to. */
export interface LaunchDependencies {
  readonly config: LauncherConfig;
  /** The tenant the request is launched for (decided by the caller's identity, never by the request). */
  readonly tenant: TenantDescriptor;
  /** Reads current.json and manifests from the dataset bucket (with the tenant's access role). */
  readonly datasets: ObjectReader;
  /** SageMaker with the tenant's access role. */
  readonly trainingJobs: TrainingJobApi;
  readonly retryPolicy?: RetryPolicy;
  readonly retryEnvironment?: RetryEnvironment;
  /** Milliseconds left in the invocation (Lambda's getRemainingTimeInMillis). */
  readonly remainingTimeMs?: () => number;
  /** Jobs not started with less than this much time left are reported failed (retry to launch them). Default 15 s. */
  readonly timeReserveMs?: number;
  readonly logger?: LaunchLogger;
}

const SILENT: LaunchLogger = { info: () => undefined, warn: () => undefined };

/**
 * Launches the training jobs of one request: validates everything first (any invalid field or job
 * rejects the whole request before any SageMaker call), pins dataset versions, then creates each
 * job idempotently and reports every job.
 */
export async function launchTrainingJobs(input: unknown, deps: LaunchDependencies): Promise<LaunchResponse> {
  const { config } = deps;
  const logger = deps.logger ?? SILENT;
  const clientToken = tokenOf(input);
  const rejected = (errors: readonly LaunchRequestFieldError[]): LaunchResponse => {
    const bounded = boundErrors(errors);
    logger.warn('launch request rejected', { clientToken, errors: bounded });
    return { outcome: TrainingJobLaunchOutcome.REJECTED, ...(clientToken ? { clientToken } : {}), errors: bounded, jobs: [] };
  };

  const rules = requestRules(config, deps.tenant);
  const validation = validateLaunchRequest(input, rules);
  if (!validation.ok) {
    return rejected(validation.errors);
  }
  const request = validation.request;
  const jobs = planJobs(request, rules, config.jobNamePrefix);
  const retry = retrier(deps, logger);

  const resolution = await resolveDatasets(deps.datasets, config.datasetBucket, jobs);
  if (!resolution.ok) {
    return rejected(resolution.errors);
  }
  const built = buildAll(jobs, { config, tenant: deps.tenant, clientToken: request.clientToken, datasets: resolution.datasets });
  if (!built.ok) {
    return rejected(built.errors);
  }
  const conflict = await clientTokenConflict(deps.trainingJobs, retry, {
    jobNamePrefix: config.jobNamePrefix, tenant: deps.tenant.name, clientToken: request.clientToken, jobs,
  });
  if (conflict) {
    return rejected([conflict]);
  }
  const quota = await quotaErrors(jobs, deps, retry);
  if (quota.length > 0) {
    return rejected(quota);
  }
  logger.info('launching training jobs', { clientToken: request.clientToken, jobs: jobs.map((job) => job.name) });

  const results = await mapConcurrent(jobs, config.concurrency, async (job, index) => {
    const outcome = await launchOne(job, built.requests[index], deps, logger);
    return jobResult(job, outcome, resolution.datasets, config, deps.tenant.name);
  });
  const summary = {
    created: results.filter((job) => job.status === LaunchedTrainingJobStatus.CREATED).length,
    alreadyLaunched: results.filter((job) => job.status === LaunchedTrainingJobStatus.ALREADY_LAUNCHED).length,
    failed: results.filter((job) => job.status === LaunchedTrainingJobStatus.FAILED).length,
  };
  const outcome = summary.failed === 0 ? TrainingJobLaunchOutcome.LAUNCHED
    : summary.failed === results.length ? TrainingJobLaunchOutcome.FAILED : TrainingJobLaunchOutcome.PARTIAL;
  logger.info('launch finished', { clientToken: request.clientToken, outcome, summary });
  return { outcome, clientToken: request.clientToken, datasetId: request.datasetId, jobs: results, summary };
}

function tokenOf(input: unknown): string | undefined {
  const token = typeof input === 'object' && input !== null ? (input as { clientToken?: unknown }).clientToken : undefined;
  return typeof token === 'string' && token.length <= 256 ? token : undefined;
}

function buildAll(jobs: readonly PlannedJob[], context: BuildContext):
  { ok: true; requests: CreateTrainingJobCommandInput[] } | { ok: false; errors: LaunchRequestFieldError[] } {
  const errors: LaunchRequestFieldError[] = [];
  const requests: CreateTrainingJobCommandInput[] = [];
  for (const job of jobs) {
    try {
      const request = buildCreateTrainingJobRequest(job, context);
      requests.push(request);
      for (const problem of checkCreateTrainingJobRequest(request)) {
        errors.push({ path: `${formatPath(['jobs', job.index])}.${problem.path} (${job.origin})`, message: problem.message });
      }
    } catch (error) {
      if (!(error instanceof RequestBuildError)) {
        throw error;
      }
      errors.push(...error.errors);
    }
  }
  return errors.length > 0 ? { ok: false, errors: uniqueErrors(errors) } : { ok: true, requests };
}

type Outcome = { status: LaunchedTrainingJobStatus.CREATED | LaunchedTrainingJobStatus.ALREADY_LAUNCHED; arn: string }
  | { status: LaunchedTrainingJobStatus.FAILED; arn?: string; reason: string };

async function launchOne(job: PlannedJob, input: CreateTrainingJobCommandInput, deps: LaunchDependencies, logger: LaunchLogger): Promise<Outcome> {
  const reserve = deps.timeReserveMs ?? 15_000;
  if (deps.remainingTimeMs && deps.remainingTimeMs() < reserve) {
    return { status: LaunchedTrainingJobStatus.FAILED, reason: 'Not attempted: the launcher ran out of time before reaching this job. Retry the request with the same clientToken; jobs already launched are recognized and not duplicated.' };
  }
  const retry = retrier(deps, logger, job.name);
  try {
    // Describe first: moto (and any race-free path) answers without relying on ResourceInUse.
    const existing = await retry('DescribeTrainingJob', () => deps.trainingJobs.describe(job.name));
    if (existing) {
      return await compareExisting(job, existing.arn, deps.trainingJobs, retry);
    }
    try {
      const arn = await retry('CreateTrainingJob', () => deps.trainingJobs.create(input));
      logger.info('training job created', { job: job.name, arn });
      return { status: LaunchedTrainingJobStatus.CREATED, arn };
    } catch (error) {
      if (!isResourceInUse(error)) {
        throw error;
      }
      // Created concurrently (an overlapping retry of the same request): check it is ours.
      const raced = await retry('DescribeTrainingJob', () => deps.trainingJobs.describe(job.name));
      if (!raced) {
        throw error;
      }
      return await compareExisting(job, raced.arn, deps.trainingJobs, retry);
    }
  } catch (error) {
    logger.warn('training job failed to launch', { job: job.name, error: errorCode(error), message: errorMessage(error) });
    return { status: LaunchedTrainingJobStatus.FAILED, reason: failureReason(error) };
  }
}

/** Runs an AWS call with the launcher's bounded retry of throttling and transient errors. */
export type Retry = <T>(what: string, operation: () => Promise<T>) => Promise<T>;

export function retrier(deps: Pick<LaunchDependencies, 'retryPolicy' | 'retryEnvironment'>, logger: LaunchLogger, job?: string): Retry {
  return (what, operation) => withRetry(operation, isRetryableError,
    deps.retryPolicy ?? DEFAULT_RETRY_POLICY, deps.retryEnvironment ?? REAL_RETRY_ENVIRONMENT,
    (error, attempt, delayMs) => logger.warn(`${what} retried`, { ...(job ? { job } : {}), attempt, delayMs, error: errorCode(error) }));
}

/**
 * The tenant's concurrent-job quota: the tenant's jobs that are InProgress or Stopping, plus the
 * jobs of this request that are not among them (a retried request's running jobs count once),
 * may not exceed `maxConcurrentJobs`. A soft limit: two requests of one tenant checked at the same
 * moment both see the same count, so together they can exceed it by the smaller request's jobs;
 * jobs a retry finds completed are counted as new.
 */
async function quotaErrors(jobs: readonly PlannedJob[], deps: LaunchDependencies, retry: Retry): Promise<LaunchRequestFieldError[]> {
  const quota = deps.tenant.maxConcurrentJobs;
  if (quota === undefined) {
    return [];
  }
  const active = new Set(await retry('ListTrainingJobs', () => deps.trainingJobs.listActive(tenantJobNamePrefix(deps.config.jobNamePrefix, deps.tenant.name))));
  const added = jobs.filter((job) => !active.has(job.name)).length;
  if (active.size + added <= quota) {
    return [];
  }
  const room = Math.max(0, quota - active.size);
  return [{
    path: 'request',
    message: `would exceed tenant "${deps.tenant.name}"'s quota of ${quota} concurrent training jobs (maxConcurrentJobs): ` +
      `${active.size} are running and this request starts ${added} more. ` +
      (room > 0 ? `Launch at most ${room} now, or wait for running jobs to finish or stop some.` : 'Wait for running jobs to finish, or stop some.'),
  }];
}

/** An existing job with this job's name is "already launched" only if its spec-hash tag matches. */
async function compareExisting(job: PlannedJob, arn: string, api: TrainingJobApi, retry: Retry): Promise<Outcome> {
  const tags = await retry('ListTags', () => api.listTags(arn));
  const existingHash = tags[PLATFORM_TAGS.SPEC_HASH];
  if (existingHash === job.specHash) {
    return { status: LaunchedTrainingJobStatus.ALREADY_LAUNCHED, arn };
  }
  return {
    status: LaunchedTrainingJobStatus.FAILED,
    arn,
    reason: `A different training job named ${job.name} already exists (its ${PLATFORM_TAGS.SPEC_HASH} tag is ${existingHash ?? 'missing'}, ` +
      `this job's is ${job.specHash}). Use a new clientToken for a different request.`,
  };
}

function failureReason(error: unknown): string {
  const code = errorCode(error);
  const message = errorMessage(error);
  if (isResourceLimitExceeded(error)) {
    return `ResourceLimitExceeded: ${message} Ask for a higher SageMaker quota (Service Quotas) or launch fewer jobs at once; retry with the same clientToken later.`;
  }
  if (isRetryableError(error)) {
    return `${code}: ${message} (still failing after retries; retry the request with the same clientToken).`;
  }
  return `${code}: ${message}`;
}

function jobResult(job: PlannedJob, outcome: Outcome, datasets: ReadonlyMap<string, ResolvedDatasetChannel>, config: LauncherConfig, tenant: string): LaunchedTrainingJob {
  const datasetVersions = Object.fromEntries(Object.entries(job.spec.channels).map(([name, channel]) => [name,
    datasets.get(datasetChannelKey(channelRequestOf(channel)))!.resolvedVersion]));
  return {
    index: job.index,
    name: job.name,
    ...(outcome.arn ? { arn: outcome.arn } : {}),
    status: outcome.status,
    ...(outcome.status === LaunchedTrainingJobStatus.FAILED ? { reason: outcome.reason } : {}),
    hyperparameters: job.spec.hyperParameters,
    datasetVersions,
    outputUri: jobArtifactsUri(config, tenant, job.name),
    modelArtifactUri: modelArtifactUri(config, tenant, job.name),
  };
}

/** Maps with at most `limit` promises in flight; results keep input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
