import { TrainingJobApi } from './aws-clients';
import { PLATFORM_TAGS } from '../../../contract/launcher';
import type { LaunchRequestFieldError } from '../../../contract/launch-request';
import { clientTokenNameStem } from './job-naming';
import { PlannedJob } from './job-plan';
import type { Retry } from './launch';

/** How many jobs sharing a token's name stem are looked at (other tokens can share a shortened stem). */
const CANDIDATE_LIMIT = 1000;

/**
 * Whether the client token was already used for a different request. A job's name carries its
 * index and the hash of its spec, so a retry finds its jobs under the same names, and a request
 * that changes any job's spec under the same token would get new names and launch more jobs. Every
 * job this token launched before must therefore be a job of this request (a retry may extend a
 * sweep, never change it); a job of the token (its sweep tag) with another name is a conflict.
 */
export async function clientTokenConflict(api: TrainingJobApi, retry: Retry, options: {
  readonly jobNamePrefix: string;
  readonly tenant: string;
  readonly clientToken: string;
  readonly jobs: readonly PlannedJob[];
}): Promise<LaunchRequestFieldError | undefined> {
  const stem = clientTokenNameStem(options.jobNamePrefix, options.tenant, options.clientToken);
  const names = new Set(options.jobs.map((job) => job.name));
  const candidates = await retry('ListTrainingJobs', () => api.listByName(stem, CANDIDATE_LIMIT));
  for (const candidate of candidates) {
    if (names.has(candidate.name) || !candidate.name.startsWith(stem)) {
      continue;
    }
    const tags = await retry('ListTags', () => api.listTags(candidate.arn));
    if (tags[PLATFORM_TAGS.SWEEP] !== options.clientToken) {
      continue;
    }
    const index = Number(tags[PLATFORM_TAGS.SWEEP_INDEX]);
    const planned = options.jobs.find((job) => job.index === index);
    const difference = planned
      ? `job ${index} then had spec hash ${tags[PLATFORM_TAGS.SPEC_HASH] ?? '(none)'}, now ${planned.specHash}`
      : `job ${tags[PLATFORM_TAGS.SWEEP_INDEX] ?? '?'} is not part of this request`;
    return {
      path: 'clientToken',
      message: `was already used for a different request (training job ${candidate.name}: ${difference}); nothing was launched. ` +
        'Use a new clientToken for a new request, or resend the original request unchanged (a retry may add jobs to a sweep, not change them).',
    };
  }
  return undefined;
}
