import { Annotations, ArnFormat, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { API_ENV, API_ROUTES, S3_MULTIPART } from '../../contract/platform-api';
import { TENANTS_ENV } from '../../contract/tenant-directory';
import { PlatformFunction, PlatformFunctionInvocation } from '../lambda';
import { TrainingJobLauncher } from '../launcher';
import { acknowledgeFinding, acknowledgeFindings, acknowledgeWildcardResource } from '../nag/acknowledge';
import { TrainingEndpoint, TrainingNetwork } from '../network';
import { PURE, PropProblems, bytesIn, failIn, integerIn, numberText, positiveUpTo, wholeSecondsIn } from '../validation';
import { JwtTokenAuthorizer } from './jwt-authorizer';
import { PlatformApiJwtAuthorizerOptions } from './jwt-authorizer-options';

/** Where the platform API is reachable. */
export enum PlatformApiEndpointType {
  /**
   * A regional endpoint (`<id>.execute-api.<region>.<suffix>`), reachable from anywhere with valid
   * credentials. In the China regions this works without an ICP filing only because every method
   * requires IAM (SigV4) authorization; edge-optimized endpoints do not exist there.
   */
  REGIONAL = 'REGIONAL',
  /**
   * A private endpoint, reachable only through `execute-api` interface VPC endpoints (the network's,
   * or those passed as `vpcEndpoints`); a resource policy refuses every other source.
   */
  PRIVATE = 'PRIVATE',
}

/** Properties of a {@link PlatformApi}. */
export interface PlatformApiProps {
  /** The network the API Lambda runs in (its training subnets, its interface endpoints). */
  readonly network: TrainingNetwork;

  /** The bucket users upload zips to (`uploads/<tenant>/<datasetId>/<channel>.zip`): the ingestion's upload bucket. */
  readonly uploadBucket: s3.IBucket;

  /** The bucket with the converted datasets (`datasets/…`). */
  readonly datasetBucket: s3.IBucket;

  /** The training-job launcher the API launches through; its artifacts bucket serves model and output links. */
  readonly launcher: TrainingJobLauncher;

  /**
   * Regional or private.
   * @default PlatformApiEndpointType.REGIONAL
   */
  readonly endpointType?: PlatformApiEndpointType;

  /**
   * The `execute-api` interface endpoints a private API admits.
   * @default - a new `execute-api` endpoint in the network's training subnets (private APIs only)
   */
  readonly vpcEndpoints?: ec2.IInterfaceVpcEndpoint[];

  /**
   * The largest zip a user may upload. S3 caps a multipart upload at 10,000 parts of at most 5 GiB.
   * @default Size.gibibytes(200)
   */
  readonly maxUploadSize?: Size;

  /**
   * How long presigned upload-part and download URLs are valid: 1 to 45 minutes. The API signs
   * them with the caller's tenant's access role, whose role-chained session lasts at most an hour;
   * the API renews the session early enough for every URL to live this long. (The CLI asks for a
   * fresh URL when one expires mid-part.)
   * @default Duration.minutes(15)
   */
  readonly presignedUrlExpiry?: Duration;

  /**
   * Steady-state requests per second across the API (stage throttling).
   * @default 50
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests across the API (stage throttling).
   * @default 100
   */
  readonly throttlingBurstLimit?: number;

  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * A customer managed key for the access-log group and the handler's log group.
   * @default - CloudWatch Logs' service-owned key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Authorize callers by JWT (a Cognito user pool or any OIDC issuer) instead of IAM (SigV4): every
   * method then requires a bearer token that a Lambda TOKEN authorizer verifies, and the caller's
   * tenant is the one whose `jwtClaimValues` hold the token's tenant claim. In the China regions
   * API Gateway serves Lambda-authorized methods only for accounts with an ICP licence (a synth
   * warning says so).
   * @default - IAM (SigV4) authorization on every method
   */
  readonly jwtAuthorizer?: PlatformApiJwtAuthorizerOptions;

  /**
   * The ARN of an AWS WAF web ACL to associate with the API's stage.
   * @default - none (every method requires IAM authorization)
   */
  readonly webAclArn?: string;
}

const DEFAULT_MAX_UPLOAD = Size.gibibytes(200);
/** Presigned URLs outlive the role-chained tenant session they are signed with (at most an hour) by a margin. */
const MAX_PRESIGN_SECONDS = 45 * 60;

/**
 * The platform's user API: API Gateway REST API → one Lambda (Lambda proxy integration) that
 * creates multipart uploads with presigned part URLs, lists a tenant's datasets and their status,
 * launches training jobs through the launcher, lists, describes and stops jobs, reads their logs
 * and links their model and output. Every method requires IAM (SigV4) authorization; the API maps
 * the signing principal to its tenant (the launcher's tenants), never a value in the request, and
 * acts with that tenant's access role (sts:AssumeRole): the API's own role reads no tenant data.
 *
 * @example
 * const api = new PlatformApi(this, 'Api', {
 *   network, uploadBucket: ingestion.uploadBucket, datasetBucket, launcher,
 * });
 * api.grantInvoke(visionUsersRole);
 */
export class PlatformApi extends Construct {
  /** The REST API. */
  public readonly restApi: apigateway.RestApi;
  /** The Lambda that serves every operation. */
  public readonly handler: lambda.IFunction;
  /** The access-log group of the API's stage. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The base URL users configure the CLI with (`https://<id>.execute-api.<region>.<suffix>/<stage>/`). */
  public readonly url: string;
  /** The `execute-api` interface endpoint created for a private API. */
  public readonly vpcEndpoint?: ec2.InterfaceVpcEndpoint;
  /** The largest upload accepted, in bytes. */
  public readonly maxUploadBytes: number;
  /** The JWT TOKEN authorizer every method uses (JWT authorization only). */
  public readonly jwtAuthorizer?: apigateway.IAuthorizer;
  /** The function that verifies bearer tokens (JWT authorization only). */
  public readonly jwtAuthorizerFunction?: lambda.IFunction;

  constructor(scope: Construct, id: string, props: PlatformApiProps) {
    super(scope, id);
    const settings = validateProps(this, props);
    this.maxUploadBytes = settings.maxUploadBytes;
    const launcher = props.launcher;

    props.network.allowS3Bucket(props.uploadBucket);
    props.network.allowS3Bucket(props.datasetBucket);
    const handler = new PlatformFunction(this, 'Handler', {
      handlerName: 'platform-api',
      description: 'Serves the dataset platform API (uploads, datasets, training jobs, logs, artifacts) for the caller tenant',
      network: props.network,
      // API Gateway's Lambda proxy integration invokes synchronously: errors return to the caller,
      // and a function dead-letter queue (asynchronous invocations only) would never receive anything.
      invocation: PlatformFunctionInvocation.SYNCHRONOUS,
      encryptionKey: props.logEncryptionKey,
      memorySize: 512,
      timeout: Duration.seconds(29),
      environment: {
        [API_ENV.UPLOAD_BUCKET]: props.uploadBucket.bucketName,
        [API_ENV.DATASET_BUCKET]: props.datasetBucket.bucketName,
        [API_ENV.ARTIFACTS_BUCKET]: launcher.artifactsBucket.bucketName,
        [API_ENV.MAX_UPLOAD_BYTES]: numberText(settings.maxUploadBytes),
        [API_ENV.PRESIGN_SECONDS]: numberText(settings.presignSeconds),
        [API_ENV.LAUNCHER_FUNCTION]: launcher.launcher.functionArn,
        [API_ENV.JOB_NAME_PREFIX]: launcher.jobNamePrefix,
        [API_ENV.TRAINING_LOG_GROUP]: TrainingJobLauncher.TRAINING_JOB_LOG_GROUP,
      },
    });
    this.handler = handler.function;
    // The launcher's tenant directory: who belongs to which tenant (principal patterns, claim values) and its roles.
    handler.function.addEnvironment(TENANTS_ENV, launcher.tenantDirectoryJson());
    this.grantHandler(handler.role, props);
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.LAMBDA, 'the API cannot invoke the launcher');
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.STS, 'the API cannot assume the tenants\' access roles');
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.SAGEMAKER_API, 'the API cannot describe, list or stop training jobs');
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.CLOUDWATCH_LOGS, 'the API cannot read training-job logs');

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!props.logEncryptionKey) {
      acknowledgeFindings(this.accessLogGroup, ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted'],
        'CloudWatch Logs encrypts access logs at rest with a service-owned key; pass logEncryptionKey for a customer managed key.');
    }

    const endpointType = props.endpointType ?? PlatformApiEndpointType.REGIONAL;
    let vpcEndpoints = props.vpcEndpoints;
    if (endpointType === PlatformApiEndpointType.PRIVATE && !vpcEndpoints) {
      this.vpcEndpoint = new ec2.InterfaceVpcEndpoint(this, 'ExecuteApiEndpoint', {
        vpc: props.network.vpc,
        service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY,
        subnets: props.network.trainingSubnets,
        privateDnsEnabled: true,
        open: false,
      });
      vpcEndpoints = [this.vpcEndpoint];
    }

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      description: 'Dataset platform API: uploads, datasets, training jobs, logs and artifacts of the caller\'s tenant',
      endpointConfiguration: endpointType === PlatformApiEndpointType.PRIVATE
        ? { types: [apigateway.EndpointType.PRIVATE], vpcEndpoints }
        : { types: [apigateway.EndpointType.REGIONAL] },
      policy: endpointType === PlatformApiEndpointType.PRIVATE ? privateApiPolicy(vpcEndpoints!) : undefined,
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        throttlingRateLimit: settings.rateLimit,
        throttlingBurstLimit: settings.burstLimit,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({
          caller: true, httpMethod: true, ip: true, protocol: true, requestTime: true,
          resourcePath: true, responseLength: true, status: true, user: true,
        }),
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      disableExecuteApiEndpoint: false,
    });
    this.url = this.restApi.url;
    this.configureAccountLogging();

    const validator = this.restApi.addRequestValidator('RequestValidator', { validateRequestBody: true, validateRequestParameters: true });
    const integration = new apigateway.LambdaIntegration(this.handler, { proxy: true, allowTestInvoke: false });
    const resources = new Map<string, apigateway.IResource>([['/', this.restApi.root]]);
    const resourceOf = (path: string): apigateway.IResource => {
      const existing = resources.get(path);
      if (existing) return existing;
      const parent = resourceOf(path.slice(0, path.lastIndexOf('/')) || '/');
      const created = parent.addResource(path.slice(path.lastIndexOf('/') + 1));
      resources.set(path, created);
      return created;
    };
    let jwt: JwtTokenAuthorizer | undefined;
    if (props.jwtAuthorizer) {
      jwt = new JwtTokenAuthorizer(this, 'Jwt', props.jwtAuthorizer, props.logEncryptionKey);
      this.jwtAuthorizer = jwt.authorizer;
      this.jwtAuthorizerFunction = jwt.function;
      handler.function.addEnvironment(API_ENV.TENANT_CLAIM, jwt.tenantClaim);
      validateClaimMembers(this, props.launcher, jwt.tenantClaim);
    }
    for (const route of Object.values(API_ROUTES)) {
      const method = resourceOf(route.path).addMethod(route.method, integration, {
        ...(jwt
          ? { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer: jwt.authorizer }
          : { authorizationType: apigateway.AuthorizationType.IAM }),
        requestValidator: validator,
      });
      acknowledgeFinding(method, 'AwsSolutions-COG4', jwt
        ? 'The method requires a bearer JWT verified by a Lambda TOKEN authorizer (Cognito user pools or any OIDC issuer); a Cognito user pool authorizer would tie it to Cognito, which the China regions do not offer.'
        : 'The method requires IAM (SigV4) authorization, which works in every partition; Cognito user pool authorizers do not exist in the China regions.');
    }

    const stage = this.restApi.deploymentStage;
    acknowledgeFindings(stage, ['NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted'],
      'Every response is specific to the signed caller and its tenant (and presigned URLs expire); caching responses would serve one caller\'s answers to another.');
    acknowledgeFindings(stage, ['NIST.800.53.R5-APIGWSSLEnabled', 'HIPAA.Security-APIGWSSLEnabled', 'PCI.DSS.321-APIGWSSLEnabled'],
      'The only integration is a Lambda proxy integration invoked by API Gateway through the Lambda API; there is no HTTP backend to present a client certificate to.');
    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: stage.stageArn, webAclArn: props.webAclArn });
    } else {
      acknowledgeFindings(stage, ['AwsSolutions-APIG3', 'NIST.800.53.R5-APIGWAssociatedWithWAF', 'PCI.DSS.321-APIGWAssociatedWithWAF'],
        `Every method requires ${jwt ? 'a bearer JWT verified by the Lambda authorizer' : 'IAM (SigV4) authorization'} and the stage is throttled; ` +
        'pass webAclArn to add an AWS WAF web ACL.');
    }
  }

  /**
   * Lets `grantee` call every operation of the API (`execute-api:Invoke`); the API still maps it to
   * its tenant. With `jwtAuthorizer` the methods do not use IAM, so this grants nothing and warns at
   * synth: give the caller a token whose tenant claim names its tenant instead.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    if (this.jwtAuthorizer) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:grantInvokeWithJwt',
        `grantInvoke(${grantee.grantPrincipal}) grants nothing: this API authorizes callers by JWT (jwtAuthorizer), not IAM. ` +
        'Give the caller a token from your issuer whose tenant claim is one of its tenant\'s jwtClaimValues, and remove the grantInvoke call.');
      return iam.Grant.drop(grantee, 'call the platform API (it authorizes by JWT, not IAM)');
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.restApi.arnForExecuteApi('*', '/*', this.restApi.deploymentStage.stageName)],
    });
  }

  /**
   * The API Lambda's own permissions: assume the tenants' access roles and invoke the launcher,
   * nothing else. Every read and write of tenant data happens with the caller's tenant's access
   * role (which may upload below `uploads/<tenant>/`, read that tenant's datasets, jobs, logs and
   * artifacts), so a mistake in mapping a caller to a tenant cannot reach another tenant's data.
   */
  private grantHandler(role: iam.Role, props: PlatformApiProps): void {
    props.launcher.grantAssumeTenantRoles(role);
    props.launcher.grantTenantUploads(props.uploadBucket);
    props.launcher.grantInvoke(role);
  }

  /**
   * Execution logging (APIG6) needs the account's API Gateway CloudWatch role. CDK's own
   * `cloudWatchRole` uses an AWS managed policy; this one is an inline least-privilege policy.
   */
  private configureAccountLogging(): void {
    const role = new iam.Role(this, 'CloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write execution and access logs of this account\'s REST APIs to CloudWatch Logs',
    });
    const logGroups = Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents',
        'logs:GetLogEvents', 'logs:FilterLogEvents'],
      resources: [logGroups],
    }));
    const account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    account.node.addDependency(role);
    this.restApi.deploymentStage.node.addDependency(account);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeWildcardResource(policy, logGroups,
        'API Gateway names execution-log groups API-Gateway-Execution-Logs_<api id>/<stage> itself, for every REST API of the account and region.');
    }
    acknowledgeFindings(role, ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
      'Inline least-privilege policy owned by the API Gateway CloudWatch role alone (instead of the AWS managed AmazonAPIGatewayPushToCloudWatchLogs).');
  }
}

/** JWT callers map by claim value: at least one tenant must declare some, or every token is refused. */
function validateClaimMembers(scope: Construct, launcher: TrainingJobLauncher, claim: string): void {
  const tenants = launcher.tenantRoles.map((roles) => roles.tenant);
  if (!tenants.some((tenant) => tenant.jwtClaimValues.length > 0)) {
    failIn({ scope, construct: 'PlatformApi' }, 'InvalidJwtAuthorizer', 'jwtAuthorizer is set, but no tenant declares jwtClaimValues ' +
      `(tenants: ${tenants.map((tenant) => tenant.name).join(', ')}), so every token would be refused. Give each tenant the values ` +
      `of the "${claim}" claim that mean it, e.g. new Tenant({ name: 'vision', jwtClaimValues: ['vision'] }).`);
  }
}

/** A private API admits requests only through the given `execute-api` endpoints. */
function privateApiPolicy(endpoints: ec2.IInterfaceVpcEndpoint[]): iam.PolicyDocument {
  const ids = endpoints.map((endpoint) => endpoint.vpcEndpointId);
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { StringNotEquals: { 'aws:SourceVpce': ids } },
      }),
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
    ],
  });
}

interface ApiSettings {
  readonly maxUploadBytes: number;
  readonly presignSeconds: number;
  readonly rateLimit: number;
  readonly burstLimit: number;
}

function validateProps(scope: Construct, props: PlatformApiProps): ApiSettings {
  const problems = new PropProblems({ scope, construct: 'PlatformApi' });
  const maxUpload = props.maxUploadSize ?? DEFAULT_MAX_UPLOAD;
  const s3Ceiling = S3_MULTIPART.maxParts * S3_MULTIPART.maxPartBytes;
  let maxUploadBytes = 0;
  problems.check(() => {
    maxUploadBytes = bytesIn(PURE, 'maxUploadSize', maxUpload, 1, s3Ceiling, 'S3 takes 10,000 parts of at most 5 GiB; use for example Size.gibibytes(500).');
  });
  const expiry = props.presignedUrlExpiry ?? Duration.minutes(15);
  let presignSeconds = 0;
  problems.check(() => {
    presignSeconds = wholeSecondsIn(PURE, 'presignedUrlExpiry', expiry, 60, MAX_PRESIGN_SECONDS,
      'URLs are signed with the tenant\'s access-role session, which lasts at most an hour when a Lambda assumes it; use for example Duration.minutes(30).');
  });
  const rateLimit = props.throttlingRateLimit ?? 50;
  const burstLimit = props.throttlingBurstLimit ?? 100;
  problems.check(() => positiveUpTo(PURE, 'throttlingRateLimit', rateLimit, 10_000, 'It is the steady requests per second of the stage; use e.g. 50.'));
  problems.check(() => integerIn(PURE, 'throttlingBurstLimit', burstLimit, 1, 5_000,
    'It is the requests the stage admits at once above the rate; use e.g. 100.'));
  if (props.vpcEndpoints && props.endpointType !== PlatformApiEndpointType.PRIVATE) {
    problems.add('vpcEndpoints', 'vpcEndpoints is set but endpointType is not PRIVATE: set endpointType: PlatformApiEndpointType.PRIVATE, or drop vpcEndpoints.');
  }
  problems.throwIfAny();
  return { maxUploadBytes, presignSeconds, rateLimit, burstLimit };
}
