/**
 * The names the launcher construct (lib/launcher) and the launcher Lambda share. Dependency-free on
 * purpose: the CDK library imports this module, and nothing here may pull Lambda-only packages
 * (zod, the AWS SDK) into it.
 */
import { TENANT_TAG, tenantNameProblem } from './tenant-directory';

/**
 * The environment variables the `TrainingJobLauncher` construct sets on the launcher Lambda.
 * Lists and objects are JSON. The construct imports these names, so both sides agree.
 */
export const LAUNCHER_ENV = {
  /** The platform's job-name prefix (lowercase). */
  JOB_NAME_PREFIX: 'LAUNCHER_JOB_NAME_PREFIX',
  /** The bucket that receives `jobs/<tenant>/<job name>/…`. */
  ARTIFACTS_BUCKET: 'LAUNCHER_ARTIFACTS_BUCKET',
  /** The bucket with `datasets/<datasetId>/<channel>/current.json` and the versions. */
  DATASET_BUCKET: 'LAUNCHER_DATASET_BUCKET',
  /** JSON list: the training subnets (jobs without file-system channels). */
  SUBNET_IDS: 'LAUNCHER_SUBNET_IDS',
  /** JSON list: the training jobs' security groups. */
  SECURITY_GROUP_IDS: 'LAUNCHER_SECURITY_GROUP_IDS',
  /** JSON object or absent: `{ id, type, datasetRootDirectory, subnetIds }` of the dataset file system. */
  FILE_SYSTEM: 'LAUNCHER_FILE_SYSTEM',
  /** `FastFile` or `File`: the input mode of S3 channels whose request names none. */
  S3_INPUT_MODE: 'LAUNCHER_S3_INPUT_MODE',
  /** JSON list: allowed ECR repository URIs. */
  IMAGE_REPOSITORIES: 'LAUNCHER_IMAGE_REPOSITORIES',
  /** JSON list: allowed `ml.*` instance types. */
  INSTANCE_TYPES: 'LAUNCHER_INSTANCE_TYPES',
  /** The cap on MaxRuntimeInSeconds. */
  MAX_RUNTIME_SECONDS: 'LAUNCHER_MAX_RUNTIME_SECONDS',
  /** The most jobs per request. */
  MAX_JOBS: 'LAUNCHER_MAX_JOBS',
  /** The most instances per job. */
  MAX_INSTANCE_COUNT: 'LAUNCHER_MAX_INSTANCE_COUNT',
  /** The largest VolumeSizeInGB. */
  MAX_VOLUME_SIZE_GB: 'LAUNCHER_MAX_VOLUME_SIZE_GB',
  /** The most instances per request (jobs × instanceCount). */
  MAX_INSTANCES_PER_REQUEST: 'LAUNCHER_MAX_INSTANCES_PER_REQUEST',
  /** KMS key (ARN) for training volumes, or absent. */
  VOLUME_KMS_KEY: 'LAUNCHER_VOLUME_KMS_KEY',
  /** KMS key (ARN) for model artifacts and output, or absent. */
  OUTPUT_KMS_KEY: 'LAUNCHER_OUTPUT_KMS_KEY',
  /** `true` to encrypt traffic between training containers. */
  INTER_CONTAINER_ENCRYPTION: 'LAUNCHER_INTER_CONTAINER_ENCRYPTION',
  /** `true` to start every job with EnableNetworkIsolation; absent means `false`. */
  NETWORK_ISOLATION: 'LAUNCHER_NETWORK_ISOLATION',
  /** How many CreateTrainingJob calls run at once. */
  CONCURRENCY: 'LAUNCHER_CONCURRENCY',
  /** JSON list or absent: reserved hyperparameter and environment names requests may set anyway. */
  ALLOWED_RESERVED_NAMES: 'LAUNCHER_ALLOWED_RESERVED_NAMES',
} as const;

/** The platform's tags on every job, and the prefix users' tags may not use. */
export const PLATFORM_TAG_PREFIX = 'cdk-sagemaker-datasets:';
export const PLATFORM_TAGS = {
  /** The tenant the job runs for (IAM conditions on it). */
  TENANT: TENANT_TAG,
  /** The job-name prefix: which platform launched the job. */
  PLATFORM: `${PLATFORM_TAG_PREFIX}platform`,
  /** The request's dataset id. */
  DATASET: `${PLATFORM_TAG_PREFIX}dataset`,
  /** The request's client token: the sweep's id. */
  SWEEP: `${PLATFORM_TAG_PREFIX}sweep`,
  /** The job's index in the sweep. */
  SWEEP_INDEX: `${PLATFORM_TAG_PREFIX}sweep-index`,
  /** SHA-256 of the job spec: how a retry recognizes its own job. */
  SPEC_HASH: `${PLATFORM_TAG_PREFIX}spec-hash`,
} as const;
export const PLATFORM_TAG_COUNT = Object.keys(PLATFORM_TAGS).length;

/**
 * The platform's job-name prefix: lowercase letters and digits in groups joined by single hyphens,
 * at most 24 characters. Lowercase because SageMaker lowercases the job name in training-job
 * ARNs, which the IAM policy matches (`training-job/<prefix>-*`); the EventBridge rule matches
 * the name as written, so both agree only on a lowercase prefix.
 */
export const JOB_NAME_PREFIX_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const JOB_NAME_PREFIX_MAX_LENGTH = 24;
export const JOB_NAME_PREFIX_RULE = `lowercase letters and digits in groups joined by single hyphens, at most ${JOB_NAME_PREFIX_MAX_LENGTH} characters (e.g. "dsp")`;

/**
 * The request's client token: what makes a retried request land on the same job names. Letters,
 * digits and hyphens, starting and ending with a letter or digit, at most 64 characters (a UUID fits).
 */
export const CLIENT_TOKEN_PATTERN = /^[A-Za-z0-9](-*[A-Za-z0-9])*$/;
export const CLIENT_TOKEN_MAX_LENGTH = 64;

/** The most jobs one request may launch (sweep indexes then have at most three digits). */
export const MAX_JOBS_CEILING = 1000;

/** Returns the problem with a job-name prefix, or undefined when it is valid. */
export function jobNamePrefixProblem(prefix: string): string | undefined {
  if (prefix.length > JOB_NAME_PREFIX_MAX_LENGTH || !JOB_NAME_PREFIX_PATTERN.test(prefix)) {
    return `must be ${JOB_NAME_PREFIX_RULE}`;
  }
  return undefined;
}

/** What the launcher function can do: launch a request's jobs, or stop one job. */
export const LAUNCHER_OPERATIONS = ['launch', 'stop'] as const;
export type LauncherOperation = (typeof LAUNCHER_OPERATIONS)[number];

/**
 * The launcher function's event. The invoker (the platform's API) decides the tenant from the
 * caller's identity, never from the request body; the launcher then acts with that tenant's
 * access role, so IAM bounds what even a wrong tenant could reach. A bare launch request (no
 * `operation`) is accepted when the platform has exactly one tenant.
 */
export interface LauncherEvent {
  readonly operation: LauncherOperation;
  /** The tenant's name. */
  readonly tenant: string;
  /** A launch request (`launch`) or `{ "jobName": … }` (`stop`). */
  readonly request: unknown;
}

/**
 * `<prefix>-<tenant>-`: the start of every job name of one tenant. IAM scopes a tenant's jobs and
 * log streams with it (`training-job/<prefix>-<tenant>-*`); tenant names have no hyphens, so one
 * tenant's start is never the start of another's.
 */
export function tenantJobNamePrefix(prefix: string, tenant: string): string {
  const prefixProblem = jobNamePrefixProblem(prefix);
  if (prefixProblem) {
    throw new Error(`Job-name prefix ${JSON.stringify(prefix)} ${prefixProblem}.`);
  }
  const tenantProblem = tenantNameProblem(tenant);
  if (tenantProblem) {
    throw new Error(`Tenant ${JSON.stringify(tenant)} ${tenantProblem}.`);
  }
  return `${prefix}-${tenant}-`;
}
