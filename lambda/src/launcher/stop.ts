import { errorCode, errorMessage, isJobNotFound } from './aws-errors';
import { TrainingJobApi } from './aws-clients';
import { PLATFORM_TAGS } from '../../../contract/launcher';
import type { LaunchRequestFieldError } from '../../../contract/launch-request';
import { tenantJobNamePrefix } from '../../../contract/launcher';
import { LaunchLogger, Retry } from './launch';
import { LauncherConfig } from './launcher-config';
import { SAGEMAKER_LIMITS } from '../../../contract/sagemaker-limits';
import { TenantDescriptor } from '../../../contract/tenant-directory';

/** A stop request as the platform's API sends it. */
export interface StopRequest {
  readonly jobName: string;
}

/**
 * What happened: `stopping` (SageMaker is stopping it, or already was), `not-running` (it had
 * already finished: `status` says how), `not-found` (no such job of this tenant; another tenant's
 * job is reported the same way, so its existence is not revealed), `rejected` (a malformed request).
 */
export type StopOutcome = 'stopping' | 'not-running' | 'not-found' | 'rejected';

export interface StopResponse {
  readonly outcome: StopOutcome;
  readonly jobName?: string;
  /** The job's status when the launcher looked (after the stop, for `stopping`). */
  readonly status?: string;
  readonly message: string;
  readonly errors?: readonly LaunchRequestFieldError[];
}

/** What {@link stopTrainingJob} talks to: SageMaker with the tenant's access role. */
export interface StopDependencies {
  readonly config: Pick<LauncherConfig, 'jobNamePrefix'>;
  readonly tenant: TenantDescriptor;
  readonly trainingJobs: TrainingJobApi;
  readonly retry: Retry;
  readonly logger?: LaunchLogger;
}

/**
 * Stops one of the tenant's training jobs. The job must be named like the tenant's jobs
 * (`<prefix>-<tenant>-…`) and carry the tenant's tag; IAM enforces the same on the access role
 * (StopTrainingJob only on `training-job/<prefix>-<tenant>-*` tagged with the tenant).
 */
export async function stopTrainingJob(input: unknown, deps: StopDependencies): Promise<StopResponse> {
  const jobName = (input as { jobName?: unknown } | null)?.jobName;
  if (typeof jobName !== 'string' || jobName.length > SAGEMAKER_LIMITS.trainingJobName.max || !SAGEMAKER_LIMITS.trainingJobName.pattern.test(jobName)) {
    return {
      outcome: 'rejected',
      message: 'The stop request is invalid.',
      errors: [{ path: 'jobName', message: 'must be a training job name (1-63 letters, digits and hyphens)' }],
    };
  }
  const notFound: StopResponse = { outcome: 'not-found', jobName, message: `Tenant "${deps.tenant.name}" has no training job ${jobName}.` };
  // SageMaker lowercases names in ARNs and IAM matches the lowercase form; compare the same way.
  if (!jobName.toLowerCase().startsWith(tenantJobNamePrefix(deps.config.jobNamePrefix, deps.tenant.name))) {
    return notFound;
  }
  const job = await deps.retry('DescribeTrainingJob', () => deps.trainingJobs.describe(jobName));
  if (!job) {
    return notFound;
  }
  const tags = await deps.retry('ListTags', () => deps.trainingJobs.listTags(job.arn));
  if (tags[PLATFORM_TAGS.TENANT] !== deps.tenant.name) {
    return notFound;
  }
  if (job.status === 'Stopping') {
    return { outcome: 'stopping', jobName, status: job.status, message: `${jobName} is already stopping.` };
  }
  if (job.status !== 'InProgress') {
    return { outcome: 'not-running', jobName, status: job.status, message: `${jobName} is not running (${job.status}); there is nothing to stop.` };
  }
  try {
    await deps.retry('StopTrainingJob', () => deps.trainingJobs.stop(jobName));
  } catch (error) {
    // The job finished between Describe and Stop: SageMaker refuses to stop a finished job.
    if (errorCode(error) !== 'ValidationException' || isJobNotFound(error)) {
      throw error;
    }
    const after = await deps.retry('DescribeTrainingJob', () => deps.trainingJobs.describe(jobName));
    deps.logger?.warn('stop refused', { jobName, error: errorCode(error), message: errorMessage(error), status: after?.status });
    if (after && after.status !== 'InProgress' && after.status !== 'Stopping') {
      return { outcome: 'not-running', jobName, status: after.status, message: `${jobName} is not running (${after.status}); there is nothing to stop.` };
    }
    throw error;
  }
  deps.logger?.info('training job stopping', { jobName, tenant: deps.tenant.name });
  return { outcome: 'stopping', jobName, status: 'Stopping', message: `${jobName} is stopping; SageMaker keeps its checkpoints and output written so far.` };
}
