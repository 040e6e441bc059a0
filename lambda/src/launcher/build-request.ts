import type { Channel, CreateTrainingJobCommandInput, Tag } from '@aws-sdk/client-sagemaker';
import { ChannelInputError, TFRECORD_CONTENT_TYPE, fileSystemChannel, joinDirectoryPath } from '../../../contract/sagemaker-channel';
import { ResolvedDatasetChannel, channelPart } from './dataset-resolution';
import { DatasetChannelSource, type LaunchRequestFieldError } from '../../../contract/launch-request';
import { formatPath } from './field-errors';
import { tenantJobsPrefix, type DatasetKind } from '../../../contract/key-layout';
import { TenantDescriptor } from '../../../contract/tenant-directory';
import { PLATFORM_TAGS } from '../../../contract/launcher';
import { LauncherConfig } from './launcher-config';
import { JobChannelSpec, PlannedJob, channelRequestOf, datasetChannelKey } from './job-plan';
import { SAGEMAKER_LIMITS, hasLocalInstanceStorage } from '../../../contract/sagemaker-limits';

/**
 * `OutputDataConfig.S3OutputPath` of a tenant's jobs. SageMaker appends the job name, so a job's
 * model is `s3://<artifacts>/jobs/<tenant>/<job name>/output/model.tar.gz` and its output `…/output/output.tar.gz`.
 */
export function outputPath(config: Pick<LauncherConfig, 'artifactsBucket'>, tenant: string): string {
  return `s3://${config.artifactsBucket}/${tenantJobsPrefix(tenant)}`;
}

/** Where a job's artifacts go: `s3://<artifacts>/jobs/<tenant>/<job name>/`. */
export function jobArtifactsUri(config: Pick<LauncherConfig, 'artifactsBucket'>, tenant: string, jobName: string): string {
  return `${outputPath(config, tenant)}${jobName}/`;
}

/** The model artifact SageMaker writes when the job completes. */
export function modelArtifactUri(config: Pick<LauncherConfig, 'artifactsBucket'>, tenant: string, jobName: string): string {
  return `${jobArtifactsUri(config, tenant, jobName)}output/model.tar.gz`;
}

/** What a job's request is built from besides the job itself. */
export interface BuildContext {
  readonly config: LauncherConfig;
  /** The tenant the jobs run for: its execution role, job prefix and tag. */
  readonly tenant: TenantDescriptor;
  /** The request's client token (the sweep id tag). */
  readonly clientToken: string;
  /** Resolved dataset channels by {@link datasetChannelKey}. */
  readonly datasets: ReadonlyMap<string, ResolvedDatasetChannel>;
}

/** Thrown when a job cannot be turned into a request; carries field errors. */
export class RequestBuildError extends Error {
  constructor(public readonly errors: readonly LaunchRequestFieldError[]) {
    super(errors.map((error) => `${error.path}: ${error.message}`).join('; '));
    this.name = 'RequestBuildError';
  }
}

/**
 * The CreateTrainingJob request of one planned job. Pure: every value comes from the job, the
 * resolved datasets and the launcher's configuration.
 *
 * - Channels: file-system channels read the pinned version directory read-only in File mode
 *   (DirectoryPath from the shared file-system logic); S3 channels read the version prefix.
 * - VpcConfig always: the file system's subnets when any channel reads it, else the training
 *   subnets; the training security groups.
 * - The tenant's execution role; output to `s3://<artifacts>/jobs/<tenant>/`; checkpoints, when
 *   asked for (always with spot), to `…/jobs/<tenant>/<name>/checkpoints/`.
 * - Tags: the platform's (tenant, platform, dataset, sweep, sweep index, spec hash) then the request's.
 */
export function buildCreateTrainingJobRequest(job: PlannedJob, context: BuildContext): CreateTrainingJobCommandInput {
  const { config } = context;
  const spec = job.spec;
  const errors: LaunchRequestFieldError[] = [];
  const channels: Channel[] = [];
  for (const [name, channel] of Object.entries(spec.channels)) {
    try {
      channels.push(buildChannel(name, channel, context));
    } catch (error) {
      if (!(error instanceof ChannelInputError)) {
        throw error;
      }
      errors.push({ path: formatPath(['channels', name]), message: error.message });
    }
  }
  if (errors.length > 0) {
    throw new RequestBuildError(errors);
  }
  const readsFileSystem = Object.values(spec.channels).some((channel) => channel.source === DatasetChannelSource.FILE_SYSTEM);
  const tenant = context.tenant.name;
  if (spec.tenant !== tenant) {
    throw new Error(`internal error: job ${job.name} was planned for tenant ${spec.tenant}, not ${tenant}`);
  }
  const tags: Tag[] = [
    { Key: PLATFORM_TAGS.TENANT, Value: tenant },
    { Key: PLATFORM_TAGS.PLATFORM, Value: config.jobNamePrefix },
    { Key: PLATFORM_TAGS.DATASET, Value: spec.datasetId },
    { Key: PLATFORM_TAGS.SWEEP, Value: context.clientToken },
    { Key: PLATFORM_TAGS.SWEEP_INDEX, Value: String(job.index) },
    { Key: PLATFORM_TAGS.SPEC_HASH, Value: job.specHash },
    ...Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })),
  ];
  const volumeKmsKeyId = config.volumeKmsKeyId && !hasLocalInstanceStorage(spec.instanceType) ? config.volumeKmsKeyId : undefined;
  return {
    TrainingJobName: job.name,
    RoleArn: context.tenant.executionRoleArn,
    AlgorithmSpecification: {
      TrainingImage: spec.trainingImage,
      TrainingInputMode: 'File',
      MetricDefinitions: spec.metricDefinitions.length > 0 ? spec.metricDefinitions.map(({ name, regex }) => ({ Name: name, Regex: regex })) : undefined,
    },
    HyperParameters: Object.keys(spec.hyperParameters).length > 0 ? { ...spec.hyperParameters } : undefined,
    Environment: Object.keys(spec.environment).length > 0 ? { ...spec.environment } : undefined,
    InputDataConfig: channels,
    OutputDataConfig: {
      S3OutputPath: outputPath(config, tenant),
      KmsKeyId: config.outputKmsKeyId,
    },
    ResourceConfig: {
      InstanceType: spec.instanceType as NonNullable<CreateTrainingJobCommandInput['ResourceConfig']>['InstanceType'],
      InstanceCount: spec.instanceCount,
      VolumeSizeInGB: spec.volumeSizeInGB,
      VolumeKmsKeyId: volumeKmsKeyId,
    },
    VpcConfig: {
      SecurityGroupIds: [...config.securityGroupIds],
      Subnets: [...(readsFileSystem && config.fileSystem ? config.fileSystem.subnetIds : config.subnetIds)],
    },
    StoppingCondition: {
      MaxRuntimeInSeconds: spec.maxRuntimeInSeconds,
      MaxWaitTimeInSeconds: spec.spot ? spec.spot.maxWaitTimeInSeconds : undefined,
    },
    EnableManagedSpotTraining: spec.spot ? true : undefined,
    CheckpointConfig: spec.checkpoints
      ? { S3Uri: `${jobArtifactsUri(config, tenant, job.name)}checkpoints/`, LocalPath: spec.checkpoints.localPath }
      : undefined,
    EnableInterContainerTrafficEncryption: config.interContainerTrafficEncryption,
    EnableNetworkIsolation: config.networkIsolation ? true : undefined,
    Tags: tags,
  };
}

/**
 * The `ContentType` a channel gets unless the request names one: TFRecord shards (images, tfrecord)
 * say so; a files channel (checkpoints, configs, weights) has no single type, so none is sent.
 * `RecordWrapperType` stays unset (None): TFRecord files carry their own framing, and a Pipe-mode
 * reader (e.g. PipeModeDataset with record_format "TFRecord") reads them unwrapped.
 */
export const DEFAULT_CONTENT_TYPE: Readonly<Record<DatasetKind, string | undefined>> = {
  images: TFRECORD_CONTENT_TYPE,
  tfrecord: TFRECORD_CONTENT_TYPE,
  files: undefined,
};

function buildChannel(name: string, channel: JobChannelSpec, context: BuildContext): Channel {
  const resolved = context.datasets.get(datasetChannelKey(channelRequestOf(channel)));
  if (!resolved) {
    throw new Error(`internal error: dataset channel ${channel.datasetId}/${channel.datasetChannel} was not resolved before building channel ${name}`);
  }
  const contentType = channel.contentType ?? DEFAULT_CONTENT_TYPE[resolved.kind];
  // A split version's channel reads one part's folder (training/ unless it names validation/).
  const part = channelPart(resolved, channel.split);
  if (channel.source === DatasetChannelSource.FILE_SYSTEM) {
    const fileSystem = context.config.fileSystem;
    if (!fileSystem) {
      throw new ChannelInputError('this platform has no dataset file system (it reads datasets from S3); use source "s3"');
    }
    const rendered = fileSystemChannel({
      channelName: name,
      fileSystemId: fileSystem.id,
      fileSystemType: fileSystem.type,
      directoryPath: joinDirectoryPath([fileSystem.datasetRootDirectory, resolved.datasetPath, part ?? '']),
      // Versions are immutable once committed; jobs read them read-only (the IAM policy allows only ro).
      accessMode: 'ro',
    });
    return { ...rendered, ContentType: contentType };
  }
  return {
    ChannelName: name,
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix',
        S3Uri: `s3://${context.config.datasetBucket}/${resolved.prefix}${part ? `${part}/` : ''}`,
        S3DataDistributionType: 'FullyReplicated',
      },
    },
    InputMode: channel.inputMode,
    ContentType: contentType,
  };
}

/**
 * Checks a built request against SageMaker's limits (the safety net behind request validation:
 * it also covers what the configuration contributes). Paths are the API's field names.
 */
export function checkCreateTrainingJobRequest(input: CreateTrainingJobCommandInput): LaunchRequestFieldError[] {
  const errors: LaunchRequestFieldError[] = [];
  const fail = (path: PropertyKey[], message: string) => errors.push({ path: formatPath(path), message });
  const L = SAGEMAKER_LIMITS;
  const name = input.TrainingJobName ?? '';
  if (name.length > L.trainingJobName.max || !L.trainingJobName.pattern.test(name)) {
    fail(['TrainingJobName'], `must match ${L.trainingJobName.pattern} (1-${L.trainingJobName.max} characters)`);
  }
  const role = input.RoleArn ?? '';
  if (role.length < L.roleArn.min || role.length > L.roleArn.max || !L.roleArn.pattern.test(role)) {
    fail(['RoleArn'], 'must be an IAM role ARN');
  }
  const image = input.AlgorithmSpecification?.TrainingImage ?? '';
  if (image.length === 0 || image.length > L.trainingImage.maxLength) {
    fail(['AlgorithmSpecification', 'TrainingImage'], `must be 1-${L.trainingImage.maxLength} characters`);
  }
  const hyperParameters = Object.entries(input.HyperParameters ?? {});
  if (hyperParameters.length > L.hyperParameters.maxEntries) {
    fail(['HyperParameters'], `has ${hyperParameters.length} entries; at most ${L.hyperParameters.maxEntries}`);
  }
  for (const [key, value] of hyperParameters) {
    if (key.length > L.hyperParameters.maxKeyLength) fail(['HyperParameters', key], `key is longer than ${L.hyperParameters.maxKeyLength}`);
    if (value.length > L.hyperParameters.maxValueLength) fail(['HyperParameters', key], `value is longer than ${L.hyperParameters.maxValueLength}`);
  }
  const environment = Object.entries(input.Environment ?? {});
  if (environment.length > L.environment.maxEntries) {
    fail(['Environment'], `has ${environment.length} entries; at most ${L.environment.maxEntries}`);
  }
  for (const [key, value] of environment) {
    if (key.length > L.environment.maxKeyLength || !L.environment.keyPattern.test(key)) fail(['Environment', key], 'is not a valid variable name');
    if (value.length > L.environment.maxValueLength) fail(['Environment', key], `value is longer than ${L.environment.maxValueLength}`);
  }
  const channels = input.InputDataConfig ?? [];
  if (channels.length < L.channels.min || channels.length > L.channels.max) {
    fail(['InputDataConfig'], `has ${channels.length} channels; ${L.channels.min}-${L.channels.max}`);
  }
  const channelNames = new Set<string>();
  channels.forEach((channel, index) => {
    const channelName = channel.ChannelName ?? '';
    if (channelName.length > L.channels.maxNameLength || !L.channels.namePattern.test(channelName)) {
      fail(['InputDataConfig', index, 'ChannelName'], 'is not a valid channel name');
    }
    if (channelNames.has(channelName)) {
      fail(['InputDataConfig', index, 'ChannelName'], 'is used twice');
    }
    channelNames.add(channelName);
    if ((channel.ContentType ?? '').length > L.contentType.maxLength) {
      fail(['InputDataConfig', index, 'ContentType'], `is longer than ${L.contentType.maxLength}`);
    }
    const fileSystem = channel.DataSource?.FileSystemDataSource;
    const s3 = channel.DataSource?.S3DataSource;
    if ((fileSystem ? 1 : 0) + (s3 ? 1 : 0) !== 1) {
      fail(['InputDataConfig', index, 'DataSource'], 'must have exactly one of FileSystemDataSource and S3DataSource');
    }
    if (fileSystem) {
      const id = fileSystem.FileSystemId ?? '';
      if (id.length < L.fileSystemId.min || id.length > L.fileSystemId.max || !L.fileSystemId.pattern.test(id)) {
        fail(['InputDataConfig', index, 'DataSource', 'FileSystemDataSource', 'FileSystemId'], 'is not a file-system id');
      }
      if ((fileSystem.DirectoryPath ?? '').length > L.directoryPath.maxLength || !(fileSystem.DirectoryPath ?? '').startsWith('/')) {
        fail(['InputDataConfig', index, 'DataSource', 'FileSystemDataSource', 'DirectoryPath'], `must be an absolute path of at most ${L.directoryPath.maxLength} characters`);
      }
      if ((channel.InputMode ?? input.AlgorithmSpecification?.TrainingInputMode) !== 'File') {
        fail(['InputDataConfig', index, 'InputMode'], 'file-system channels must use File mode');
      }
    }
    if (s3) {
      const uri = s3.S3Uri ?? '';
      if (uri.length > L.s3Uri.maxLength || !L.s3Uri.pattern.test(uri)) {
        fail(['InputDataConfig', index, 'DataSource', 'S3DataSource', 'S3Uri'], 'is not an S3 URI');
      }
    }
  });
  const outputUri = input.OutputDataConfig?.S3OutputPath ?? '';
  if (outputUri.length > L.s3Uri.maxLength || !L.s3Uri.pattern.test(outputUri)) {
    fail(['OutputDataConfig', 'S3OutputPath'], 'is not an S3 URI');
  }
  const checkpointUri = input.CheckpointConfig?.S3Uri;
  if (checkpointUri !== undefined && (checkpointUri.length > L.s3Uri.maxLength || !L.s3Uri.pattern.test(checkpointUri))) {
    fail(['CheckpointConfig', 'S3Uri'], 'is not an S3 URI');
  }
  for (const [path, key] of [[['OutputDataConfig', 'KmsKeyId'], input.OutputDataConfig?.KmsKeyId], [['ResourceConfig', 'VolumeKmsKeyId'], input.ResourceConfig?.VolumeKmsKeyId]] as const) {
    if (key !== undefined && (key.length > L.kmsKeyId.maxLength || !L.kmsKeyId.pattern.test(key))) {
      fail([...path], 'is not a KMS key id or ARN');
    }
  }
  const subnets = input.VpcConfig?.Subnets ?? [];
  if (subnets.length < L.subnets.min || subnets.length > L.subnets.max) {
    fail(['VpcConfig', 'Subnets'], `has ${subnets.length} subnets; ${L.subnets.min}-${L.subnets.max}`);
  }
  subnets.forEach((id, index) => {
    if (id.length > L.subnets.maxIdLength || !L.subnets.idPattern.test(id)) fail(['VpcConfig', 'Subnets', index], 'is not a subnet id');
  });
  const groups = input.VpcConfig?.SecurityGroupIds ?? [];
  if (groups.length < L.securityGroups.min || groups.length > L.securityGroups.max) {
    fail(['VpcConfig', 'SecurityGroupIds'], `has ${groups.length} security groups; ${L.securityGroups.min}-${L.securityGroups.max}`);
  }
  groups.forEach((id, index) => {
    if (id.length > L.securityGroups.maxIdLength || !L.securityGroups.idPattern.test(id)) fail(['VpcConfig', 'SecurityGroupIds', index], 'is not a security group id');
  });
  const runtime = input.StoppingCondition?.MaxRuntimeInSeconds ?? 0;
  if (!Number.isInteger(runtime) || runtime < L.maxRuntimeInSeconds.min || runtime > L.maxRuntimeInSeconds.max) {
    fail(['StoppingCondition', 'MaxRuntimeInSeconds'], `must be ${L.maxRuntimeInSeconds.min}-${L.maxRuntimeInSeconds.max} seconds (28 days)`);
  }
  const wait = input.StoppingCondition?.MaxWaitTimeInSeconds;
  if (input.EnableManagedSpotTraining) {
    if (wait === undefined || !Number.isInteger(wait) || wait < runtime) {
      fail(['StoppingCondition', 'MaxWaitTimeInSeconds'], 'is required with managed spot training and at least MaxRuntimeInSeconds');
    }
    if (!input.CheckpointConfig) {
      fail(['CheckpointConfig'], 'is required with managed spot training');
    }
  } else if (wait !== undefined) {
    fail(['StoppingCondition', 'MaxWaitTimeInSeconds'], 'applies to managed spot training only');
  }
  const metrics = input.AlgorithmSpecification?.MetricDefinitions ?? [];
  if (metrics.length > L.metricDefinitions.maxDefinitions) {
    fail(['AlgorithmSpecification', 'MetricDefinitions'], `has ${metrics.length} definitions; at most ${L.metricDefinitions.maxDefinitions}`);
  }
  metrics.forEach((metric, index) => {
    for (const [field, value, limits] of [['Name', metric.Name, L.metricDefinitions.name], ['Regex', metric.Regex, L.metricDefinitions.regex]] as const) {
      if (value === undefined || value.length < limits.min || value.length > limits.max || !limits.pattern.test(value)) {
        fail(['AlgorithmSpecification', 'MetricDefinitions', index, field], `must be ${limits.min}-${limits.max} characters on one line`);
      }
    }
  });
  const count = input.ResourceConfig?.InstanceCount ?? 0;
  if (!Number.isInteger(count) || count < 1) fail(['ResourceConfig', 'InstanceCount'], 'must be at least 1');
  const volume = input.ResourceConfig?.VolumeSizeInGB ?? 0;
  if (!Number.isInteger(volume) || volume < 1) fail(['ResourceConfig', 'VolumeSizeInGB'], 'must be at least 1');
  const tags = input.Tags ?? [];
  if (tags.length > L.tags.max) {
    fail(['Tags'], `has ${tags.length} tags; at most ${L.tags.max}`);
  }
  const tagKeys = new Set<string>();
  tags.forEach((tag, index) => {
    const key = tag.Key ?? '';
    if (key.length < 1 || key.length > L.tags.maxKeyLength || !L.tags.pattern.test(key)) fail(['Tags', index, 'Key'], 'is not a valid tag key');
    if ((tag.Value ?? '').length > L.tags.maxValueLength || !L.tags.pattern.test(tag.Value ?? '')) fail(['Tags', index, 'Value'], 'is not a valid tag value');
    if (tagKeys.has(key)) fail(['Tags', index, 'Key'], 'is used twice');
    tagKeys.add(key);
  });
  return errors;
}
