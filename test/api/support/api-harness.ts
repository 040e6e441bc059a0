import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DirectoryTenantResolver } from '../../../lambda/src/api/caller';
import type { ApiConfig } from '../../../lambda/src/api/config';
import type { LaunchPort } from '../../../lambda/src/api/ports';
import { ApiDependencies, PlatformApiService, matchRoute } from '../../../lambda/src/api/service';
import { TenantServicesFactory, servicesSignedWith, tenantSessionCredentials } from '../../../lambda/src/api/tenant-access';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { PLATFORM_TAGS } from '../../../contract/launcher';
import { TENANT_TAG, TenantDescriptor, parseTenantDirectory } from '../../../contract/tenant-directory';
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
  /** The tenants whose services the API asked for, in order (one per request that reached a tenant). */
  readonly servicesAskedFor: string[] = [];
  /** Every credential set the API's tenant sessions handed to its clients. */
  private readonly sessions: AwsCredentialIdentity[] = [];

  private readonly motoEndpoint: string;

  constructor(s3Config: MotoClientConfig, config: MotoClientConfig, launcher: LaunchPort, overrides: Partial<ApiDependencies> = {}) {
    this.motoEndpoint = config.endpoint;
    this.s3 = new S3Client(s3Config);
    this.sagemaker = new SageMakerClient(config);
    this.logs = new CloudWatchLogsClient(config);
    this.deps = {
      config: API_CONFIG,
      tenants: new DirectoryTenantResolver(parseTenantDirectory(TENANT_DIRECTORY_JSON)),
      services: this.recording(tenantServices(s3Config, config, this.sessions)),
      launcher,
      ...overrides,
    };
    this.service = new PlatformApiService(this.deps);
  }

  /**
   * Who the credentials the API signed with (found by their access key id) are, as STS says it
   * (GetCallerIdentity signed with those credentials): `arn:aws:sts::…:assumed-role/<role>/<session>`.
   */
  async identityOfAccessKey(accessKeyId: string): Promise<string | undefined> {
    const credentials = this.sessions.find((session) => session.accessKeyId === accessKeyId);
    return credentials ? callerIdentity(this.motoEndpoint, credentials) : undefined;
  }

  private recording(factory: TenantServicesFactory): TenantServicesFactory {
    return (tenant: TenantDescriptor) => {
      this.servicesAskedFor.push(tenant.name);
      return factory(tenant);
    };
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

  /** Calls the API as a JWT authorizer's answer lets through (`requestContext.authorizer`: principalId and context). */
  async callAuthorized<T = Record<string, unknown>>(authorizer: { principalId: string; context?: Record<string, unknown> | null }, method: string, path: string,
    options: { query?: Record<string, string>; body?: unknown } = {}): Promise<ApiAnswer<T>> {
    const event = proxyEvent(undefined, method, path, options.query, options.body === undefined ? null : JSON.stringify(options.body));
    const withAuthorizer = { ...event, requestContext: { ...event.requestContext, authorizer: { principalId: authorizer.principalId, integrationLatency: 12, ...authorizer.context } } };
    const result = await this.service.handle(withAuthorizer);
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

/**
 * The API's real tenant services over moto_server: moto's STS AssumeRole gives each tenant's
 * access-role session, and every S3, SageMaker and Logs call of the tenant is signed with it.
 */
export function tenantServices(s3Config: MotoClientConfig, config: MotoClientConfig, sessions: AwsCredentialIdentity[] = []): TenantServicesFactory {
  const options = { presignSeconds: API_CONFIG.presignSeconds, stsConfig: { endpoint: config.endpoint, region: config.region }, masterCredentials: config.credentials };
  return servicesSignedWith((tenant) => {
    const provider = tenantSessionCredentials(tenant, options);
    return async () => {
      const identity = await provider();
      sessions.push(identity);
      return identity;
    };
  }, { region: config.region, endpoint: config.endpoint, s3Endpoint: s3Config.endpoint, forcePathStyle: true });
}

/** STS GetCallerIdentity (query protocol) signed with `credentials`: the ARN STS reports. */
async function callerIdentity(endpoint: string, credentials: AwsCredentialIdentity): Promise<string | undefined> {
  const url = new URL(endpoint);
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
  const request = await signer.sign(new HttpRequest({
    method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/',
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' }, body,
  }));
  const response = await fetch(`${endpoint}/`, { method: 'POST', headers: request.headers, body });
  return /<Arn>([^<]+)<\/Arn>/.exec(await response.text())?.[1];
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
