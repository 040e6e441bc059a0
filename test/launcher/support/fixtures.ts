import { DatasetPointer } from '../../../lambda/src/catalog';
import { LauncherConfig, RequestRules, requestRules } from '../../../lambda/src/launcher';
import { DatasetChannelInputMode } from '../../../contract/launch-request';
import { TenantDescriptor } from '../../../contract/tenant-directory';

/** The tenant requests run for in the launcher tests, and a second one they must never reach. */
export const TENANT: TenantDescriptor = {
  name: 'vision', principalArnPatterns: ['arn:aws:iam::123456789012:role/vision-*'], claimValues: ['vision'], readsSharedDatasets: true,
  executionRoleArn: 'arn:aws:iam::123456789012:role/dsp-vision-execution', accessRoleArn: 'arn:aws:iam::123456789012:role/dsp-vision-access',
};
export const OTHER_TENANT: TenantDescriptor = {
  name: 'speech', principalArnPatterns: ['arn:aws:iam::123456789012:role/speech-*'], claimValues: ['speech'], readsSharedDatasets: true,
  executionRoleArn: 'arn:aws:iam::123456789012:role/dsp-speech-execution', accessRoleArn: 'arn:aws:iam::123456789012:role/dsp-speech-access',
};

export const REPOSITORY_URI = '123456789012.dkr.ecr.us-east-1.amazonaws.com/vision-training';
export const IMAGE = `${REPOSITORY_URI}:v1`;
export const VERSION_A = 'v20261122T115526Z-0123456789ab';
export const VERSION_B = 'v20261123T080000Z-abcdef012345';

/** A launcher configuration with an FSx file system (override parts per test). */
export function testConfig(overrides: Partial<LauncherConfig> = {}): LauncherConfig {
  return {
    jobNamePrefix: 'dsp',
    tenants: { tenants: [TENANT, OTHER_TENANT] },
    artifactsBucket: 'artifacts-bucket',
    datasetBucket: 'dataset-bucket',
    subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
    securityGroupIds: ['sg-0training1'],
    fileSystem: { id: 'fs-0123456789abcdef0', type: 'FSxLustre', datasetRootDirectory: '/abcd1234/datasets', subnetIds: ['subnet-0aaa1111'] },
    allowedImageRepositories: [REPOSITORY_URI],
    allowedInstanceTypes: ['ml.m5.xlarge', 'ml.g5.xlarge', 'ml.p4d.24xlarge'],
    maxRuntimeInSeconds: 3 * 86400,
    maxJobs: 50,
    maxInstanceCount: 4,
    maxVolumeSizeInGB: 16384,
    maxInstancesPerRequest: 200,
    interContainerTrafficEncryption: true,
    networkIsolation: false,
    concurrency: 2,
    s3InputMode: DatasetChannelInputMode.FAST_FILE,
    allowedReservedNames: [],
    ...overrides,
  };
}

export function testRules(overrides: Partial<LauncherConfig> = {}, tenant: TenantDescriptor = TENANT): RequestRules {
  return requestRules(testConfig(overrides), tenant);
}

/** A valid request: two channels and a 2×2 grid. */
export function validRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientToken: '3f1c2a9e-7b4d-4c1e-9a8f-0d2e5b6c7a81',
    datasetId: 'cats',
    channels: { training: {}, evaluation: {} },
    trainingImage: IMAGE,
    instanceType: 'ml.g5.xlarge',
    hyperparameters: { epochs: 10 },
    sweep: { grid: { learning_rate: [0.1, 0.01], batch_size: [32, 64] } },
    ...overrides,
  };
}

/** The pointer document the converter writes for a version. */
export function pointerDocument(datasetId: string, channel: string, version: string, tenant = TENANT.name): DatasetPointer {
  return {
    schemaVersion: 1,
    tenant,
    datasetId,
    channel,
    version,
    prefix: `datasets/${tenant}/${datasetId}/${channel}/${version}/`,
    manifestKey: `datasets/${tenant}/${datasetId}/${channel}/${version}/manifest.json`,
    source: { bucket: 'dataset-bucket', key: `uploads/${tenant}/${datasetId}/${channel}.zip`, etag: 'abc', eventTime: '2026-11-22T11:55:26.000Z' },
    committedAt: '2026-11-22T11:56:00.000Z',
  };
}

/** A manifest with the fields the launcher reads. */
export function manifestDocument(records = 100): Record<string, unknown> {
  return { manifestVersion: 1, records, shards: [{ name: 'train-00000-of-00001.tfrecord', records }] };
}

/** An in-memory dataset bucket: `objects[key] = text`. */
export class MemoryObjects {
  readonly reads: string[] = [];
  constructor(public readonly objects: Record<string, string> = {}) {}

  /** Adds a converted channel (pointer + manifest). */
  addConverted(datasetId: string, channel: string, version: string, records = 100, tenant = TENANT.name): this {
    this.objects[`datasets/${tenant}/${datasetId}/${channel}/current.json`] = JSON.stringify(pointerDocument(datasetId, channel, version, tenant));
    this.objects[`datasets/${tenant}/${datasetId}/${channel}/${version}/manifest.json`] = JSON.stringify(manifestDocument(records));
    return this;
  }

  async readText(bucket: string, key: string): Promise<string | undefined> {
    this.reads.push(`${bucket}/${key}`);
    return this.objects[key];
  }
}
