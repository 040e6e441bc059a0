import { z } from 'zod';
import { formatPath } from './field-errors';
import { JOB_NAME_PREFIX_MAX_LENGTH, JOB_NAME_PREFIX_PATTERN, JOB_NAME_PREFIX_RULE, MAX_JOBS_CEILING } from '../../../contract/launcher';
import { LAUNCHER_ENV, PLATFORM_TAG_COUNT, PLATFORM_TAG_PREFIX } from '../../../contract/launcher';
import { RequestRules } from './launch-request';
import { DatasetChannelInputMode, type S3ChannelInputMode } from '../../../contract/launch-request';
import { TENANTS_ENV, TenantDescriptor, TenantDirectory, parseTenantDirectory } from '../../../contract/tenant-directory';
import { INSTANCE_TYPE_PATTERN, MAX_RUNTIME_CEILING_SECONDS, SAGEMAKER_LIMITS } from '../../../contract/sagemaker-limits';

/** The dataset file system as the launcher uses it. */
export interface LauncherFileSystem {
  readonly id: string;
  readonly type: 'EFS' | 'FSxLustre';
  /** The dataset root as SageMaker sees it (`/<mountName>/datasets` on FSx, `/datasets` on EFS). */
  readonly datasetRootDirectory: string;
  /** The subnets a job reading the file system may use. */
  readonly subnetIds: readonly string[];
}

/** The launcher's runtime configuration. */
export interface LauncherConfig {
  readonly jobNamePrefix: string;
  /** The platform's tenants: each with its execution role, access role and quotas. */
  readonly tenants: TenantDirectory;
  readonly artifactsBucket: string;
  readonly datasetBucket: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly fileSystem?: LauncherFileSystem;
  /** The input mode of S3 channels whose request names none. */
  readonly s3InputMode: S3ChannelInputMode;
  readonly allowedImageRepositories: readonly string[];
  readonly allowedInstanceTypes: readonly string[];
  readonly maxRuntimeInSeconds: number;
  readonly maxJobs: number;
  readonly maxInstanceCount: number;
  readonly maxVolumeSizeInGB: number;
  readonly maxInstancesPerRequest: number;
  readonly volumeKmsKeyId?: string;
  readonly outputKmsKeyId?: string;
  readonly interContainerTrafficEncryption: boolean;
  /** Every job runs with EnableNetworkIsolation: the container gets no network. */
  readonly networkIsolation: boolean;
  readonly concurrency: number;
  /** Reserved hyperparameter and environment names requests may set anyway. */
  readonly allowedReservedNames: readonly string[];
}

/** Thrown at cold start when the environment is not a valid launcher configuration. */
export class LauncherConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`The launcher's environment is invalid (the TrainingJobLauncher construct sets it; redeploy, or fix the variables by hand):\n` +
      problems.map((problem) => `  ${problem}`).join('\n'));
    this.name = 'LauncherConfigError';
  }
}

const subnetId = z.string().max(SAGEMAKER_LIMITS.subnets.maxIdLength).regex(SAGEMAKER_LIMITS.subnets.idPattern, 'must be a subnet id');
const subnetList = z.array(subnetId).min(SAGEMAKER_LIMITS.subnets.min).max(SAGEMAKER_LIMITS.subnets.max);
const securityGroupId = z.string().max(SAGEMAKER_LIMITS.securityGroups.maxIdLength).regex(SAGEMAKER_LIMITS.securityGroups.idPattern, 'must be a security group id');
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');
const kmsKey = z.string().max(SAGEMAKER_LIMITS.kmsKeyId.maxLength).regex(SAGEMAKER_LIMITS.kmsKeyId.pattern, 'must be a KMS key id or ARN').min(1);
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

const CONFIG_SCHEMA = z.strictObject({
  jobNamePrefix: z.string().max(JOB_NAME_PREFIX_MAX_LENGTH).regex(JOB_NAME_PREFIX_PATTERN, `must be ${JOB_NAME_PREFIX_RULE}`),
  artifactsBucket: bucketName,
  datasetBucket: bucketName,
  subnetIds: subnetList,
  securityGroupIds: z.array(securityGroupId).min(SAGEMAKER_LIMITS.securityGroups.min).max(SAGEMAKER_LIMITS.securityGroups.max),
  fileSystem: z.strictObject({
    id: z.string().min(SAGEMAKER_LIMITS.fileSystemId.min).max(SAGEMAKER_LIMITS.fileSystemId.max).regex(SAGEMAKER_LIMITS.fileSystemId.pattern, 'must be fs- and hex digits'),
    type: z.enum(['EFS', 'FSxLustre']),
    datasetRootDirectory: z.string().regex(/^\/\S*$/, 'must be an absolute path').max(SAGEMAKER_LIMITS.directoryPath.maxLength),
    subnetIds: subnetList,
  }).optional(),
  s3InputMode: z.enum([DatasetChannelInputMode.FAST_FILE, DatasetChannelInputMode.FILE]).default(DatasetChannelInputMode.FAST_FILE),
  allowedImageRepositories: z.array(z.string().regex(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.[a-z0-9.]+\/[a-z0-9._/-]+$/, 'must be an ECR repository URI')).min(1),
  allowedInstanceTypes: z.array(z.string().regex(INSTANCE_TYPE_PATTERN, 'must be an ml.* instance type')).min(1),
  maxRuntimeInSeconds: positiveInt(MAX_RUNTIME_CEILING_SECONDS),
  maxJobs: positiveInt(MAX_JOBS_CEILING),
  maxInstanceCount: positiveInt(1000),
  maxVolumeSizeInGB: positiveInt(16384),
  maxInstancesPerRequest: positiveInt(1_000_000),
  volumeKmsKeyId: kmsKey.optional(),
  outputKmsKeyId: kmsKey.optional(),
  interContainerTrafficEncryption: z.enum(['true', 'false']).transform((value) => value === 'true'),
  networkIsolation: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  concurrency: positiveInt(16),
  allowedReservedNames: z.array(z.string().min(1).max(SAGEMAKER_LIMITS.environment.maxKeyLength)).default([]),
});

/** Variables whose value is JSON. */
const JSON_FIELDS = new Set(['subnetIds', 'securityGroupIds', 'fileSystem', 'allowedImageRepositories', 'allowedInstanceTypes', 'allowedReservedNames']);
const FIELD_ENV: Record<keyof z.infer<typeof CONFIG_SCHEMA>, string> = {
  jobNamePrefix: LAUNCHER_ENV.JOB_NAME_PREFIX,
  artifactsBucket: LAUNCHER_ENV.ARTIFACTS_BUCKET,
  datasetBucket: LAUNCHER_ENV.DATASET_BUCKET,
  subnetIds: LAUNCHER_ENV.SUBNET_IDS,
  securityGroupIds: LAUNCHER_ENV.SECURITY_GROUP_IDS,
  fileSystem: LAUNCHER_ENV.FILE_SYSTEM,
  s3InputMode: LAUNCHER_ENV.S3_INPUT_MODE,
  allowedImageRepositories: LAUNCHER_ENV.IMAGE_REPOSITORIES,
  allowedInstanceTypes: LAUNCHER_ENV.INSTANCE_TYPES,
  maxRuntimeInSeconds: LAUNCHER_ENV.MAX_RUNTIME_SECONDS,
  maxJobs: LAUNCHER_ENV.MAX_JOBS,
  maxInstanceCount: LAUNCHER_ENV.MAX_INSTANCE_COUNT,
  maxVolumeSizeInGB: LAUNCHER_ENV.MAX_VOLUME_SIZE_GB,
  maxInstancesPerRequest: LAUNCHER_ENV.MAX_INSTANCES_PER_REQUEST,
  volumeKmsKeyId: LAUNCHER_ENV.VOLUME_KMS_KEY,
  outputKmsKeyId: LAUNCHER_ENV.OUTPUT_KMS_KEY,
  interContainerTrafficEncryption: LAUNCHER_ENV.INTER_CONTAINER_ENCRYPTION,
  networkIsolation: LAUNCHER_ENV.NETWORK_ISOLATION,
  concurrency: LAUNCHER_ENV.CONCURRENCY,
  allowedReservedNames: LAUNCHER_ENV.ALLOWED_RESERVED_NAMES,
};

/**
 * Reads and checks the launcher's configuration from environment variables (at cold start). Every
 * problem is reported at once, naming the variable.
 */
export function loadLauncherConfig(environment: Readonly<Record<string, string | undefined>>): LauncherConfig {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [field, variable] of Object.entries(FIELD_ENV)) {
    const text = environment[variable];
    if (text === undefined || text === '') {
      continue;
    }
    if (JSON_FIELDS.has(field)) {
      try {
        raw[field] = JSON.parse(text);
      } catch {
        problems.push(`${variable} is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
      }
    } else {
      raw[field] = text;
    }
  }
  const parsed = CONFIG_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [field, ...rest] = issue.path;
      const variable = FIELD_ENV[field as keyof typeof FIELD_ENV] ?? String(field);
      const missing = rest.length === 0 && issue.code === 'invalid_type' && raw[String(field)] === undefined;
      problems.push(`${variable}${rest.length > 0 ? ` (${formatPath(rest)})` : ''}: ${missing ? 'is not set' : issue.message}`);
    }
  }
  let tenants: TenantDirectory | undefined;
  try {
    tenants = parseTenantDirectory(environment[TENANTS_ENV]);
    for (const tenant of tenants.tenants) {
      for (const [field, arn] of [['executionRoleArn', tenant.executionRoleArn], ['accessRoleArn', tenant.accessRoleArn]] as const) {
        if (arn.length < SAGEMAKER_LIMITS.roleArn.min || arn.length > SAGEMAKER_LIMITS.roleArn.max || !SAGEMAKER_LIMITS.roleArn.pattern.test(arn)) {
          problems.push(`${TENANTS_ENV} (tenant ${tenant.name} ${field}): must be an IAM role ARN`);
        }
      }
    }
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0 || !parsed.success || !tenants) {
    throw new LauncherConfigError(problems);
  }
  const config = { ...parsed.data, tenants };
  const missingInVpc = config.fileSystem?.subnetIds.filter((id) => !config.subnetIds.includes(id)) ?? [];
  if (missingInVpc.length > 0) {
    throw new LauncherConfigError([`${LAUNCHER_ENV.FILE_SYSTEM} (subnetIds): ${missingInVpc.join(', ')} are not training subnets (${LAUNCHER_ENV.SUBNET_IDS})`]);
  }
  return config;
}

/** The request rules this configuration implies for one tenant. */
export function requestRules(config: LauncherConfig, tenant: TenantDescriptor): RequestRules {
  return {
    tenant: tenant.name,
    sharedDatasetsReadable: tenant.readsSharedDatasets,
    // A tenant's list narrows the launcher's; the construct checks it is a subset.
    allowedInstanceTypes: tenant.allowedInstanceTypes
      ? config.allowedInstanceTypes.filter((type) => tenant.allowedInstanceTypes!.includes(type))
      : config.allowedInstanceTypes,
    allowedImageRepositories: config.allowedImageRepositories,
    maxRuntimeInSeconds: config.maxRuntimeInSeconds,
    maxJobs: config.maxJobs,
    maxInstanceCount: config.maxInstanceCount,
    maxVolumeSizeInGB: config.maxVolumeSizeInGB,
    maxInstancesPerRequest: config.maxInstancesPerRequest,
    fileSystemAvailable: config.fileSystem !== undefined,
    s3InputMode: config.s3InputMode,
    platformTagCount: PLATFORM_TAG_COUNT,
    platformTagPrefix: PLATFORM_TAG_PREFIX,
    allowedReservedNames: config.allowedReservedNames,
  };
}
