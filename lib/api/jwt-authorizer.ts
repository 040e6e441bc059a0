import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_TENANT_CLAIM, JWT_AUTHORIZER_ENV } from '../../contract/platform-api';
import { PLATFORM_RUNTIME } from '../lambda';
import { handlerCode } from '../lambda/handler-asset';
import { PlatformApiJwtAuthorizerOptions } from './jwt-authorizer-options';
import { acknowledgeFinding, acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';
import { PropProblems } from '../validation';

/** The TOKEN authorizer and its function (outside the VPC: it fetches the issuer's JWKS from the internet). */
export class JwtTokenAuthorizer extends Construct {
  public readonly authorizer: apigateway.TokenAuthorizer;
  public readonly function: lambda.Function;
  public readonly tenantClaim: string;

  constructor(scope: Construct, id: string, options: PlatformApiJwtAuthorizerOptions, logEncryptionKey?: kms.IKey) {
    super(scope, id);
    validateOptions(this, options);
    this.tenantClaim = options.tenantClaim ?? DEFAULT_TENANT_CLAIM;
    const logGroup = new logs.LogGroup(this, 'LogGroup', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: logEncryptionKey, removalPolicy: RemovalPolicy.RETAIN });
    if (!logEncryptionKey) {
      acknowledgeFindings(logGroup, ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted'],
        'CloudWatch Logs encrypts the authorizer\'s logs at rest with a service-owned key; pass logEncryptionKey for a customer managed key.');
    }
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Platform API JWT authorizer: writes its own logs, nothing else',
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    acknowledgeInlinePolicy(role, 'the platform API JWT authorizer');
    this.function = new lambda.Function(this, 'Function', {
      description: `Verifies bearer tokens of ${options.issuer} for the platform API`,
      code: handlerCode('platform-api-authorizer'),
      handler: 'index.handler',
      runtime: PLATFORM_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'platform-api-authorizer',
        [JWT_AUTHORIZER_ENV.ISSUER]: options.issuer,
        [JWT_AUTHORIZER_ENV.AUDIENCES]: Stack.of(this).toJsonString(options.audiences),
        [JWT_AUTHORIZER_ENV.TENANT_CLAIM]: this.tenantClaim,
        ...(options.jwksUri ? { [JWT_AUTHORIZER_ENV.JWKS_URI]: options.jwksUri } : {}),
      },
    });
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) accepts no resource scoping.');
    }
    acknowledgeFindings(this.function, ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      'The authorizer fetches the token issuer\'s public signing keys (JWKS) from the issuer\'s https URL on the internet; it reads no platform data and holds no permission beyond its own logs.');
    acknowledgeFindings(this.function, ['Serverless-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'],
      'Invoked synchronously by API Gateway only: a failure is the caller\'s 401/500; an asynchronous-invocation dead-letter queue would never receive anything.');
    const cacheTtl = options.resultsCacheTtl ?? Duration.minutes(5);
    acknowledgeFindings(this.function, ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
      `Stage throttling bounds the requests that reach the authorizer${cacheTtl.toSeconds() > 0 ? ', and API Gateway caches its answer per token' : ''}; ` +
      'reserving concurrency would only take it from the account\'s pool.');
    this.authorizer = new apigateway.TokenAuthorizer(this, 'Authorizer', {
      handler: this.function,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      resultsCacheTtl: cacheTtl,
      validationRegex: '^[Bb]earer [A-Za-z0-9_=-]+\\.[A-Za-z0-9_=-]+\\.[A-Za-z0-9_=-]*$',
    });
    warnInChina(this);
  }
}

function validateOptions(scope: Construct, options: PlatformApiJwtAuthorizerOptions): void {
  const problems = new PropProblems({ scope, construct: 'PlatformApi' });
  if (!Token.isUnresolved(options.issuer) && !/^https:\/\/[^\s/]+(\/\S*)?$/.test(options.issuer)) {
    problems.add('jwtAuthorizer.issuer', `jwtAuthorizer.issuer is ${JSON.stringify(options.issuer)}: it must be the issuer's https URL, e.g. ` +
      '"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" or "https://login.example.com/".');
  }
  if (options.jwksUri !== undefined && !Token.isUnresolved(options.jwksUri) && !/^https:\/\/\S+$/.test(options.jwksUri)) {
    problems.add('jwtAuthorizer.jwksUri', `jwtAuthorizer.jwksUri is ${JSON.stringify(options.jwksUri)}: it must be an https URL (or leave it out for <issuer>/.well-known/jwks.json).`);
  }
  if (options.audiences.length === 0 || options.audiences.some((audience) => audience.trim() === '')) {
    problems.add('jwtAuthorizer.audiences', 'jwtAuthorizer.audiences must list at least one non-empty audience (the `aud` of your tokens, or the Cognito app client id).');
  }
  if (options.tenantClaim !== undefined && !/^[\w:.\-/]+$/.test(options.tenantClaim)) {
    problems.add('jwtAuthorizer.tenantClaim', `jwtAuthorizer.tenantClaim is ${JSON.stringify(options.tenantClaim)}: name one claim, e.g. "tenant" or "cognito:groups".`);
  }
  const ttl = options.resultsCacheTtl;
  if (ttl && !ttl.isUnresolved() && ttl.toSeconds() > 3600) {
    problems.add('jwtAuthorizer.resultsCacheTtl', `jwtAuthorizer.resultsCacheTtl is ${ttl.toHumanString()}: API Gateway caches authorizer answers for at most 1 hour; use e.g. Duration.minutes(5).`);
  }
  problems.throwIfAny();
}

/** In the China regions API Gateway serves Lambda-authorized methods only for accounts with an ICP licence. */
function warnInChina(scope: Construct): void {
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && region.startsWith('cn-')) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-datasets:jwtAuthorizerNeedsIcp',
      `${region}: API Gateway in the China regions processes requests to methods with a Lambda authorizer (this JWT authorizer) only ` +
      'for accounts with an ICP licence (Cognito user pool authorizers do not exist there). Without one, leave jwtAuthorizer out: ' +
      'IAM (SigV4) authorization works on the default execute-api endpoint without ICP.');
  }
}
