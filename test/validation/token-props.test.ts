/**
 * Every numeric prop takes a CDK token (a CloudFormation parameter, an SSM value): it passes
 * validation, and the template carries the reference where the literal would be, never
 * `String(token)`'s -1.888e+289. A bad literal throws a ValidationError naming the prop, the value,
 * the rule and the fix.
 */
import { Duration, Errors, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { LAUNCHER_ENV } from '../../contract/launcher';
import { INGESTION_ENV } from '../../contract/ingestion-events';
import { API_ENV } from '../../contract/platform-api';
import { TENANTS_ENV } from '../../contract/tenant-directory';
import {
  DataRepositoryAssociationOptions, DatasetIngestion, DatasetIngestionProps, DatasetVersionRetention, DatasetVersionRetentionProps, HyperPodCluster, HyperPodClusterOptions, LustreDatasetFileSystem, PlatformApi, PlatformApiProps, PlatformMonitoring, PlatformMonitoringProps, SecureBucket, SecureBucketProps, Tenant, TenantProps, TrainingJobLauncher, TrainingJobLauncherProps, TrainingNetwork,
} from '../../lib';
import { ENCODED_NUMBER, Json, ParameterStack, UNSHIPPED, environmentWith, references, resourceProperties } from './support';

/** A prop, how a token is given to it, and where the template must carry the token. */
type TokenCase<P> = [prop: string, give: (tokens: ParameterStack) => Partial<P>, read: (template: Template) => unknown];

/** A prop's bad literal and what the message must say (after `<prop> is <value>; `). */
type LiteralCase<P> = [prop: string, props: Partial<P>, value: string, rule: RegExp];

function launcherIn(stack: Stack, props: Partial<TrainingJobLauncherProps> = {}): TrainingJobLauncher {
  return new TrainingJobLauncher(stack, 'Launcher', {
    network: new TrainingNetwork(stack, 'Network'),
    datasetBucket: new SecureBucket(stack, 'Datasets').bucket,
    trainingImageRepositories: [new ecr.Repository(stack, 'Images', { imageScanOnPush: true })],
    ...props,
  });
}

function platformApiIn(stack: Stack, props: Partial<PlatformApiProps> = {}): PlatformApi {
  const launcher = launcherIn(stack);
  return new PlatformApi(stack, 'Api', {
    network: launcher.node.scope!.node.findChild('Network') as TrainingNetwork,
    uploadBucket: new SecureBucket(stack, 'Uploads').bucket,
    datasetBucket: new SecureBucket(stack, 'ApiDatasets').bucket,
    launcher,
    ...props,
  });
}

const launcherEnv = (t: Template, name: string) => environmentWith(t, LAUNCHER_ENV.MAX_JOBS)[name];
const launcherFunction = (t: Template): Json => resourceProperties(t, 'AWS::Lambda::Function', (p) => p.Environment?.Variables?.[LAUNCHER_ENV.MAX_JOBS] !== undefined);
const apiStage = (t: Template): Json => resourceProperties(t, 'AWS::ApiGateway::Stage');

/**
 * One synth per construct with every numeric prop a parameter; each row checks one prop's
 * reference lands where the literal would, and that the table covers every parameter made.
 */
function describeTokens<P>(construct: string, build: (tokens: ParameterStack, props: Partial<P>) => void, cases: Array<TokenCase<P>>) {
  describe(`${construct}: token-valued props pass validation and reach the template as references`, () => {
    const tokens = new ParameterStack();
    const props = Object.assign({}, ...cases.map(([, give]) => give(tokens))) as Partial<P>;
    build(tokens, props);
    const template = tokens.template();

    test.each(cases)('%s', (prop, _give, read) => {
      expect(references(read(template), tokens.logicalId(prop))).toBe(true);
    });

    test('no number token is written as text (-1.888e+289)', () => {
      expect(JSON.stringify(template.toJSON())).not.toMatch(ENCODED_NUMBER);
    });

    test('every parameter is checked', () => {
      expect(tokens.props().sort()).toEqual(cases.map(([prop]) => prop).sort());
    });
  });
}

/** Each row: the bad literal throws a ValidationError `<prop> is <value>; <rule>. <fix>`. */
function describeLiterals<P>(construct: string, build: (stack: Stack, props: Partial<P>) => void, cases: Array<LiteralCase<P>>) {
  describe(`${construct}: a bad literal names the prop, the value, the rule and the fix`, () => {
    test.each(cases.map(([prop, props, value, rule]) => [`${prop} = ${value}`, prop, props, value, rule] as const))('%s', (_name, prop, props, value, rule) => {
      let thrown: unknown;
      try {
        build(new Stack(undefined, 'Literals', { env: { region: 'us-east-1' } }), props);
      } catch (error) {
        thrown = error;
      }
      expect(Errors.isValidationError(thrown) || (thrown as Error)?.constructor?.name === 'UnscopedValidationError').toBe(true);
      const message = (thrown as Error).message;
      const escaped = `${prop} is ${value}; `.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(message).toMatch(new RegExp(`${escaped}${rule.source}[^\\n]*\\. [A-Z][^\\n]+`));
      expect(message).not.toMatch(UNSHIPPED);
    });
  });
}

describeTokens<TrainingJobLauncherProps>('TrainingJobLauncher', (tokens, props) => launcherIn(tokens.stack, props), [
  ['maxJobsPerRequest', (t) => ({ maxJobsPerRequest: t.number('maxJobsPerRequest') }), (t) => launcherEnv(t, LAUNCHER_ENV.MAX_JOBS)],
  ['maxInstanceCount', (t) => ({ maxInstanceCount: t.number('maxInstanceCount') }), (t) => launcherEnv(t, LAUNCHER_ENV.MAX_INSTANCE_COUNT)],
  ['maxVolumeSizeInGB', (t) => ({ maxVolumeSizeInGB: t.number('maxVolumeSizeInGB') }), (t) => launcherEnv(t, LAUNCHER_ENV.MAX_VOLUME_SIZE_GB)],
  ['maxInstancesPerRequest', (t) => ({ maxInstancesPerRequest: t.number('maxInstancesPerRequest') }), (t) => launcherEnv(t, LAUNCHER_ENV.MAX_INSTANCES_PER_REQUEST)],
  ['launchConcurrency', (t) => ({ launchConcurrency: t.number('launchConcurrency') }), (t) => launcherEnv(t, LAUNCHER_ENV.CONCURRENCY)],
  ['reservedConcurrency', (t) => ({ reservedConcurrency: t.number('reservedConcurrency') }), (t) => launcherFunction(t).ReservedConcurrentExecutions],
  ['maxRuntime', (t) => ({ maxRuntime: Duration.seconds(t.number('maxRuntime')) }), (t) => launcherEnv(t, LAUNCHER_ENV.MAX_RUNTIME_SECONDS)],
  ['timeout', (t) => ({ timeout: Duration.seconds(t.number('timeout')) }), (t) => launcherFunction(t).Timeout],
  ['tenants[].maxConcurrentJobs', (t) => ({
    tenants: [new Tenant({ name: 'vision', principalArnPatterns: ['arn:aws:iam::123456789012:role/vision-*'], maxConcurrentJobs: t.number('tenants[].maxConcurrentJobs') })],
  }), (t) => environmentWith(t, TENANTS_ENV)[TENANTS_ENV]],
]);

describeLiterals<TrainingJobLauncherProps>('TrainingJobLauncher', (stack, props) => launcherIn(stack, props), [
  ['maxJobsPerRequest', { maxJobsPerRequest: 0 }, '0', /it must be a whole number from 1 to 1000/],
  ['maxInstanceCount', { maxInstanceCount: 2.5 }, '2.5', /it must be a whole number from 1 to 1000/],
  ['maxVolumeSizeInGB', { maxVolumeSizeInGB: 16385 }, '16385', /it must be a whole number from 1 to 16384/],
  ['maxInstancesPerRequest', { maxInstancesPerRequest: 0 }, '0', /it must be a whole number from 1 to 1000000/],
  ['launchConcurrency', { launchConcurrency: 17 }, '17', /it must be a whole number from 1 to 16/],
  ['reservedConcurrency', { reservedConcurrency: 0 }, '0', /it must be a whole number from 1 to 1000/],
  ['maxRuntime', { maxRuntime: Duration.days(29) }, '29 days', /it must be whole seconds from 1 minute to 28 days/],
  ['timeout', { timeout: Duration.minutes(20) }, '20 minutes', /it must be whole seconds from 30 seconds to 15 minutes/],
  ['maxRuntime', { maxRuntime: Duration.seconds(30) }, '30 seconds', /it must be whole seconds from 1 minute to 28 days/],
]);

describeLiterals<TenantProps>('Tenant', (_stack, props) => new Tenant({ name: 'vision', principalArnPatterns: ['arn:aws:iam::123456789012:role/x'], ...props }), [
  ['maxConcurrentJobs', { maxConcurrentJobs: 0 }, '0', /it must be a whole number from 1 to 10000/],
  ['maxConcurrentJobs', { maxConcurrentJobs: 1.5 }, '1.5', /it must be a whole number from 1 to 10000/],
]);

describeTokens<PlatformApiProps>('PlatformApi', (tokens, props) => platformApiIn(tokens.stack, props), [
  ['throttlingRateLimit', (t) => ({ throttlingRateLimit: t.number('throttlingRateLimit') }), (t) => apiStage(t).MethodSettings],
  ['throttlingBurstLimit', (t) => ({ throttlingBurstLimit: t.number('throttlingBurstLimit') }), (t) => apiStage(t).MethodSettings],
  ['maxUploadSize', (t) => ({ maxUploadSize: Size.bytes(t.number('maxUploadSize')) }), (t) => environmentWith(t, API_ENV.MAX_UPLOAD_BYTES)[API_ENV.MAX_UPLOAD_BYTES]],
  ['presignedUrlExpiry', (t) => ({ presignedUrlExpiry: Duration.seconds(t.number('presignedUrlExpiry')) }), (t) => environmentWith(t, API_ENV.PRESIGN_SECONDS)[API_ENV.PRESIGN_SECONDS]],
]);

describeLiterals<PlatformApiProps>('PlatformApi', (stack, props) => platformApiIn(stack, props), [
  ['throttlingRateLimit', { throttlingRateLimit: 0 }, '0', /it must be above 0 and at most 10000/],
  ['throttlingBurstLimit', { throttlingBurstLimit: 1.5 }, '1.5', /it must be a whole number from 1 to 5000/],
  ['maxUploadSize', { maxUploadSize: Size.tebibytes(100) }, '100 TiB', /it must be from 1 bytes? to /],
  ['presignedUrlExpiry', { presignedUrlExpiry: Duration.minutes(50) }, '50 minutes', /it must be whole seconds from 1 minute to 45 minutes/],
  ['presignedUrlExpiry', { presignedUrlExpiry: Duration.seconds(30) }, '30 seconds', /it must be whole seconds from 1 minute to 45 minutes/],
]);

function clusterIn(stack: Stack, props: Partial<HyperPodClusterOptions>): HyperPodCluster {
  const network = new TrainingNetwork(stack, 'Network');
  return new HyperPodCluster(stack, 'Cluster', { network, fileSystem: new LustreDatasetFileSystem(stack, 'Datasets', { network }), ...props });
}

const workerGroup = (t: Template): Json => resourceProperties(t, 'AWS::SageMaker::Cluster').InstanceGroups
  .find((group: Json) => group.SlurmConfig?.NodeType === 'Compute');
const clusterSettings = (t: Template): Json => resourceProperties(t, 'Custom::CDKBucketDeployment', (p) => JSON.stringify(p).includes('MOUNT_ATTEMPTS') || p.SourceMarkers !== undefined);

describeTokens<HyperPodClusterOptions>('HyperPodCluster', (tokens, props) => clusterIn(tokens.stack, {
  ...props,
  workers: [{
    instanceType: 'ml.g5.8xlarge',
    instanceCount: tokens.number('workers[].instanceCount'),
    threadsPerCore: tokens.number('workers[].threadsPerCore'),
    ebsVolumeSizeGiB: tokens.number('workers[].ebsVolumeSizeGiB'),
  }],
}), [
  ['workers[].instanceCount', () => ({}), (t) => workerGroup(t).InstanceCount],
  ['workers[].threadsPerCore', () => ({}), (t) => workerGroup(t).ThreadsPerCore],
  ['workers[].ebsVolumeSizeGiB', () => ({}), (t) => workerGroup(t).InstanceStorageConfigs],
  ['mountAttempts', (t) => ({ mountAttempts: t.number('mountAttempts') }), clusterSettings],
  ['mountRetryDelay', (t) => ({ mountRetryDelay: Duration.seconds(t.number('mountRetryDelay')) }), clusterSettings],
]);

describeLiterals<HyperPodClusterOptions>('HyperPodCluster', (stack, props) => clusterIn(stack, props), [
  ['workers[0].instanceCount', { workers: [{ instanceType: 'ml.g5.8xlarge', instanceCount: 0 }] }, '0', /it must be a whole number from 1 to 6758/],
  ['workers[0].threadsPerCore', { workers: [{ instanceType: 'ml.g5.8xlarge', threadsPerCore: 3 }] }, '3', /it must be one of 1, 2/],
  ['workers[0].ebsVolumeSizeGiB', { workers: [{ instanceType: 'ml.g5.8xlarge', ebsVolumeSizeGiB: 0 }] }, '0', /it must be a whole number from 1 to 16384/],
  ['controller.instanceCount', { controller: { instanceType: 'ml.m5.xlarge', instanceCount: 2 } }, '2', /a Slurm cluster has exactly one controller instance here/],
  ['mountAttempts', { mountAttempts: 61 }, '61', /it must be a whole number from 1 to 60/],
  ['mountRetryDelay', { mountRetryDelay: Duration.minutes(6) }, '6 minutes', /it must be whole seconds from 1 second to 5 minutes/],
]);

const converterFunction = (t: Template): Json => resourceProperties(t, 'AWS::Lambda::Function', (p) => p.Environment?.Variables?.[INGESTION_ENV.MAX_RECEIVE_COUNT] !== undefined);
const converterEnv = (t: Template, name: string) => converterFunction(t).Environment.Variables[name];
/** The upload queue: the one whose dead-letter queue is the ingestion's own. */
const uploadQueue = (t: Template): Json => resourceProperties(t, 'AWS::SQS::Queue', (p) => /"IngestionDeadLetterQueue[0-9A-F]{8}"/.test(JSON.stringify(p.RedrivePolicy ?? {})));
const sqsSource = (t: Template): Json => resourceProperties(t, 'AWS::Lambda::EventSourceMapping', (p) => p.BatchSize !== undefined || p.ScalingConfig !== undefined);
const lifecycleRules = (t: Template): Json => Object.values(t.findResources('AWS::S3::Bucket')).map((bucket: Json) => bucket.Properties.LifecycleConfiguration);

describeTokens<DatasetIngestionProps>('DatasetIngestion', (tokens, props) => new DatasetIngestion(tokens.stack, 'Ingestion', {
  network: new TrainingNetwork(tokens.stack, 'Network'), ...props,
}), [
  ['memorySize', (t) => ({ memorySize: t.number('memorySize') }), (t) => converterFunction(t).MemorySize],
  ['timeout', (t) => ({ timeout: Duration.seconds(t.number('timeout')) }), (t) => converterFunction(t).Timeout],
  ['visibilityTimeout', (t) => ({ visibilityTimeout: Duration.seconds(t.number('visibilityTimeout')) }), (t) => uploadQueue(t).VisibilityTimeout],
  ['maxReceiveCount', (t) => ({ maxReceiveCount: t.number('maxReceiveCount') }), (t) => [uploadQueue(t).RedrivePolicy, converterEnv(t, INGESTION_ENV.MAX_RECEIVE_COUNT)]],
  ['maxConcurrency', (t) => ({ maxConcurrency: t.number('maxConcurrency') }), (t) => sqsSource(t).ScalingConfig],
  ['batchSize', (t) => ({ batchSize: t.number('batchSize') }), (t) => sqsSource(t).BatchSize],
  ['singleFunctionMaxZipSize', (t) => ({ singleFunctionMaxZipSize: Size.bytes(t.number('singleFunctionMaxZipSize')) }), (t) => converterEnv(t, INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES)],
  ['maxUploadSize', (t) => ({ maxUploadSize: Size.bytes(t.number('maxUploadSize')) }), (t) => converterEnv(t, INGESTION_ENV.MAX_UPLOAD_BYTES)],
  ['estimatedThroughputPerSecond', (t) => ({ estimatedThroughputPerSecond: Size.bytes(t.number('estimatedThroughputPerSecond')) }),
    (t) => converterEnv(t, INGESTION_ENV.ESTIMATED_BYTES_PER_SECOND)],
  ['uploadExpiration', (t) => ({ uploadExpiration: Duration.days(t.number('uploadExpiration')) }), lifecycleRules],
  // Both conversion settings come with the first row (one conversion object).
  ['conversion.seed', (t) => ({ conversion: { seed: t.number('conversion.seed'), maxImagePixels: t.number('conversion.maxImagePixels') } }),
    (t) => converterEnv(t, INGESTION_ENV.CONVERSION_OPTIONS)],
  ['conversion.maxImagePixels', () => ({}), (t) => converterEnv(t, INGESTION_ENV.CONVERSION_OPTIONS)],
]);

describeLiterals<DatasetIngestionProps>('DatasetIngestion', (stack, props) => new DatasetIngestion(stack, 'Ingestion', { network: new TrainingNetwork(stack, 'Network'), ...props }), [
  ['maxReceiveCount', { maxReceiveCount: 0 }, '0', /it must be a whole number from 1 to 1000/],
  ['maxConcurrency', { maxConcurrency: 1 }, '1', /it must be a whole number from 2 to 1000/],
  ['batchSize', { batchSize: 11 }, '11', /it must be a whole number from 1 to 10/],
  ['memorySize', { memorySize: 64 }, '64', /it must be a whole number from 128 to 10240/],
  ['singleFunctionMaxZipSize', { singleFunctionMaxZipSize: Size.bytes(0) }, '0 bytes', /it must be at least 1 bytes/],
  ['maxUploadSize', { maxUploadSize: Size.tebibytes(50) }, '50 TiB', /it must be from 1 bytes to 53687091200000 bytes/],
  ['estimatedThroughputPerSecond', { estimatedThroughputPerSecond: Size.kibibytes(10) }, '10 KiB', /it must be at least 1048576 bytes/],
  ['uploadExpiration', { uploadExpiration: Duration.hours(12) }, '0.5 days', /it must be 1 to 2147483647 whole days/],
]);

describeTokens<SecureBucketProps>('SecureBucket', (tokens, props) => new SecureBucket(tokens.stack, 'Bucket', props), [
  ['abortIncompleteMultipartUploadAfter', (t) => ({ abortIncompleteMultipartUploadAfter: Duration.days(t.number('abortIncompleteMultipartUploadAfter')) }), lifecycleRules],
  ['noncurrentVersionExpiration', (t) => ({ noncurrentVersionExpiration: Duration.days(t.number('noncurrentVersionExpiration')) }), lifecycleRules],
]);

describeLiterals<SecureBucketProps>('SecureBucket', (stack, props) => new SecureBucket(stack, 'Bucket', props), [
  ['abortIncompleteMultipartUploadAfter', { abortIncompleteMultipartUploadAfter: Duration.hours(12) }, '0.5 days', /it must be 1 to 2147483647 whole days/],
  ['noncurrentVersionExpiration', { noncurrentVersionExpiration: Duration.hours(36) }, '1.5 days', /it must be 1 to 2147483647 whole days/],
]);

function associationIn(stack: Stack, props: Partial<DataRepositoryAssociationOptions>) {
  const fileSystem = new LustreDatasetFileSystem(stack, 'Datasets', { network: new TrainingNetwork(stack, 'Network') });
  return fileSystem.addDataRepositoryAssociation('Results', { fileSystemPath: '/results', bucket: new SecureBucket(stack, 'Results').bucket, ...props });
}

describeTokens<DataRepositoryAssociationOptions>('LustreDataRepositoryAssociation', (tokens, props) => associationIn(tokens.stack, props), [
  ['importedFileChunkSizeMiB', (t) => ({ importedFileChunkSizeMiB: t.number('importedFileChunkSizeMiB') }),
    (t) => resourceProperties(t, 'AWS::FSx::DataRepositoryAssociation', (p) => p.FileSystemPath === '/results').ImportedFileChunkSize],
]);

describeLiterals<DataRepositoryAssociationOptions>('LustreDataRepositoryAssociation', (stack, props) => associationIn(stack, props), [
  ['importedFileChunkSizeMiB', { importedFileChunkSizeMiB: 512001 }, '512001', /it must be a whole number from 1 to 512000/],
  ['importedFileChunkSizeMiB', { importedFileChunkSizeMiB: 0.5 }, '0.5', /it must be a whole number from 1 to 512000/],
]);

describeTokens<DatasetVersionRetentionProps>('DatasetVersionRetention', (tokens, props) => new DatasetVersionRetention(tokens.stack, 'Retention', {
  network: new TrainingNetwork(tokens.stack, 'Network'), datasetBucket: new SecureBucket(tokens.stack, 'Datasets').bucket, ...props,
}), [
  ['keepVersions', (t) => ({ keepVersions: t.number('keepVersions') }), (t) => environmentWith(t, INGESTION_ENV.RETENTION_KEEP_VERSIONS)[INGESTION_ENV.RETENTION_KEEP_VERSIONS]],
  ['keepYoungerThan', (t) => ({ keepYoungerThan: Duration.seconds(t.number('keepYoungerThan')) }),
    (t) => environmentWith(t, INGESTION_ENV.RETENTION_KEEP_YOUNGER_THAN_SECONDS)[INGESTION_ENV.RETENTION_KEEP_YOUNGER_THAN_SECONDS]],
]);

describeTokens<PlatformMonitoringProps>('PlatformMonitoring', (tokens, props) => new PlatformMonitoring(tokens.stack, 'Monitoring', {
  fileSystem: new LustreDatasetFileSystem(tokens.stack, 'Datasets', { network: new TrainingNetwork(tokens.stack, 'Network') }), ...props,
}), [
  ['freeStorageAlarmPercent', (t) => ({ freeStorageAlarmPercent: t.number('freeStorageAlarmPercent') }),
    (t) => resourceProperties(t, 'AWS::CloudWatch::Alarm', (p) => JSON.stringify(p).includes('FreeDataStorage') || String(p.MetricName ?? '').includes('Free')).Threshold],
]);
