import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CloudWatchLogStore, S3ObjectStore, SageMakerJobStore } from '../../../lambda/src/api/aws-adapters';
import { DirectoryTenantResolver } from '../../../lambda/src/api/caller';
import type { ApiConfig } from '../../../lambda/src/api/config';
import type { LaunchPort } from '../../../lambda/src/api/ports';
import { ApiDependencies, PlatformApiService, matchRoute } from '../../../lambda/src/api/service';
import { PLATFORM_TAGS } from '../../../contract/launcher';
import { TENANT_TAG, parseTenantDirectory } from '../../../contract/tenant-directory';
import type { MotoClientConfig } from '../../support/moto-server';

export const ACCOUNT = '123456789012';
/** Two tenants; each member is a session of the tenant's role. */
export const TENANTS = {
  alpha: { role: `arn:aws:iam::${ACCOUNT}:role/alpha-users`, session: `arn:aws:sts::${ACCOUNT}:assumed-role/alpha-users/alice` },
  beta: { role: `arn:aws:iam::${ACCOUNT}:role/beta-users`, session: `arn:aws:sts::${ACCOUNT}:assumed-role/beta-users/bob` },
} as const;
export type TenantName = keyof typeof TENANTS;
export const OUTSIDER = `arn:aws:sts::${ACCOUNT}:assumed-role/someone-else/eve`;

export const TENANT_DIRECTORY_JSON = JSON.stringify({
  tenants: Object.entries(TENANTS).map(([name, tenant]) => ({
    name,
    principalArnPatterns: [tenant.role],
    claimValues: [name],
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec-${name}`,
    accessRoleArn: `arn:aws:iam::${ACCOUNT}:role/access-${name}`,
  })),
});

export const API_CONFIG: ApiConfig = {
  uploadBucket: 'api-uploads',
  datasetBucket: 'api-datasets',
  artifactsBucket: 'api-artifacts',
  maxUploadBytes: 300 * 1024 * 1024,
  presignSeconds: 900,
  jobNamePrefix: 'dsp',
  trainingLogGroup: '/aws/sagemaker/TrainingJobs',
};

export interface ApiAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** The API service over moto_server's S3, SageMaker and CloudWatch Logs, and helpers to seed them. */
export class ApiHarness {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
  readonly logs: CloudWatchLogsClient;
  readonly service: PlatformApiService;
  readonly deps: ApiDependencies;

  constructor(s3Config: MotoClientConfig, config: MotoClientConfig, launcher: LaunchPort, overrides: Partial<ApiDependencies> = {}) {
    this.s3 = new S3Client(s3Config);
    this.sagemaker = new SageMakerClient(config);
    this.logs = new CloudWatchLogsClient(config);
    this.deps = {
      config: API_CONFIG,
      tenants: new DirectoryTenantResolver(parseTenantDirectory(TENANT_DIRECTORY_JSON)),
      objects: new S3ObjectStore(this.s3),
      jobs: new SageMakerJobStore(this.sagemaker),
      logs: new CloudWatchLogStore(this.logs),
      launcher,
      ...overrides,
    };
    this.service = new PlatformApiService(this.deps);
  }

  async createBuckets(): Promise<void> {
    for (const bucket of [API_CONFIG.uploadBucket, API_CONFIG.datasetBucket, API_CONFIG.artifactsBucket]) {
      await this.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    await this.logs.send(new CreateLogGroupCommand({ logGroupName: API_CONFIG.trainingLogGroup }));
  }

  /** Calls the API as `principalArn` (what API Gateway puts in requestContext.identity.userArn). */
  async call<T = Record<string, unknown>>(principalArn: string | undefined, method: string, path: string,
    options: { query?: Record<string, string>; body?: unknown } = {}): Promise<ApiAnswer<T>> {
    const event = proxyEvent(principalArn, method, path, options.query, options.body === undefined ? null : JSON.stringify(options.body));
    const result = await this.service.handle(event);
    return { status: result.statusCode, body: JSON.parse(result.body) as T };
  }

  as(tenant: TenantName) {
    const arn = TENANTS[tenant].session;
    return <T = Record<string, unknown>>(method: string, path: string, options: { query?: Record<string, string>; body?: unknown } = {}) =>
      this.call<T>(arn, method, path, options);
  }

  /** A finished training job of `tenant` as SageMaker (moto) holds it, with its model in the artifacts bucket. */
  async seedJob(tenant: TenantName, name: string, options: { sweep?: string; model?: Buffer; logLines?: string[] } = {}): Promise<void> {
    await this.sagemaker.send(new CreateTrainingJobCommand({
      TrainingJobName: name,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/exec-${tenant}`,
      AlgorithmSpecification: { TrainingImage: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/train:1`, TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: `s3://${API_CONFIG.artifactsBucket}/jobs/${tenant}/` },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      HyperParameters: { epochs: '3' },
      Tags: [
        { Key: TENANT_TAG, Value: tenant },
        { Key: PLATFORM_TAGS.SWEEP, Value: options.sweep ?? 'sweep-1' },
        { Key: PLATFORM_TAGS.DATASET, Value: 'cats' },
      ],
    }));
    if (options.model) {
      await this.s3.send(new PutObjectCommand({ Bucket: API_CONFIG.artifactsBucket, Key: `jobs/${tenant}/${name}/output/model.tar.gz`, Body: options.model }));
    }
    if (options.logLines) {
      const stream = `${name}/algo-1-1700000000`;
      await this.logs.send(new CreateLogStreamCommand({ logGroupName: API_CONFIG.trainingLogGroup, logStreamName: stream }));
      const start = Date.now() - options.logLines.length * 1000;
      await this.logs.send(new PutLogEventsCommand({
        logGroupName: API_CONFIG.trainingLogGroup, logStreamName: stream,
        logEvents: options.logLines.map((message, index) => ({ timestamp: start + index * 1000, message })),
      }));
    }
  }
}

/** A REST API Lambda proxy event, as API Gateway sends it after IAM authorization. */
export function proxyEvent(principalArn: string | undefined, method: string, path: string, query?: Record<string, string>, body: string | null = null): APIGatewayProxyEvent {
  const route = matchRoute(method, path);
  return {
    httpMethod: method,
    path,
    resource: route?.resource ?? path,
    pathParameters: route?.pathParameters ?? null,
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: null,
    headers: {},
    multiValueHeaders: {},
    body,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT, apiId: 'local', httpMethod: method, path, protocol: 'HTTP/1.1', stage: 'v1', requestId: 'r', requestTimeEpoch: Date.now(),
      resourceId: 'x', resourcePath: route?.resource ?? path, authorizer: undefined,
      identity: {
        userArn: principalArn ?? null, accountId: principalArn ? ACCOUNT : null, caller: null, user: null, accessKey: null, apiKey: null, apiKeyId: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null,
        principalOrgId: null, sourceIp: '127.0.0.1', userAgent: 'test', clientCert: null,
      },
    },
  } as APIGatewayProxyEvent;
}
