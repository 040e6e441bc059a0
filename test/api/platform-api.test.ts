import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PlatformApi, PlatformApiEndpointType, PlatformApiProps, SecureBucket, Tenant, TrainingJobLauncher, TrainingNetwork } from '../../lib';
import { API_ENV, API_ROUTES } from '../../contract/platform-api';
import { nagFindings } from '../support/nag';

function apiStack(props: Partial<PlatformApiProps> = {}, region = 'us-east-1', before: (stack: Stack, api: PlatformApi) => void = () => undefined, tenants?: Tenant[]) {
  const stack = new Stack(new App(), 'ApiTest', { env: { region } });
  const network = new TrainingNetwork(stack, 'Network');
  const datasets = new SecureBucket(stack, 'Datasets');
  const uploads = new SecureBucket(stack, 'Uploads');
  const launcher = new TrainingJobLauncher(stack, 'Launcher', {
    network, datasetBucket: datasets.bucket, trainingImageRepositories: [new ecr.Repository(stack, 'Images', { imageScanOnPush: true })], tenants,
  });
  const api = new PlatformApi(stack, 'Api', {
    network, uploadBucket: uploads.bucket, datasetBucket: datasets.bucket, launcher,
    ...props,
  });
  before(stack, api);
  return { stack, api, template: Template.fromStack(stack) };
}

describe('PlatformApi', () => {
  const { template, stack, api } = apiStack();

  test('every method of every route requires IAM (SigV4) authorization', () => {
    const methods = template.findResources('AWS::ApiGateway::Method');
    expect(Object.keys(methods)).toHaveLength(Object.keys(API_ROUTES).length);
    for (const method of Object.values(methods)) {
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(method.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    }
    const routes = Object.values(methods).map((method) => method.Properties.HttpMethod).sort();
    expect(routes).toEqual(Object.values(API_ROUTES).map((route) => route.method).sort());
  });

  test('a regional endpoint by default, throttled, traced, with JSON access logs kept a year', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"caller":"\\$context.identity.caller"') },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, LoggingLevel: 'ERROR', DataTraceEnabled: false })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('the handler knows the buckets, the cap, the launcher and the tenants', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [API_ENV.MAX_UPLOAD_BYTES]: Match.anyValue() } } } }))[0];
    const variables = fn.Properties.Environment.Variables;
    expect(variables[API_ENV.MAX_UPLOAD_BYTES]).toBe(String(200 * 1024 ** 3));
    expect(variables[API_ENV.PRESIGN_SECONDS]).toBe('900');
    expect(variables[API_ENV.JOB_NAME_PREFIX]).toBe('dsp');
    expect(variables[API_ENV.TRAINING_LOG_GROUP]).toBe('/aws/sagemaker/TrainingJobs');
    expect(JSON.stringify(stack.resolve(variables.PLATFORM_TENANTS))).toContain('LauncherTenantdefaultAccessRole');
    expect(fn.Properties.Architectures).toEqual(['arm64']);
  });

  test('the handler\'s own role may only assume the tenants\' access roles and invoke the launcher: no S3, SageMaker or Logs', () => {
    const handlerRole = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => /^ApiHandler.*Role/.test(id))!;
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(handlerRole));
    const actions = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat()).sort();
    expect(actions.filter((action: string) => !action.startsWith('ec2:') && !action.startsWith('sqs:') && !action.startsWith('xray:')))
      .toEqual(['lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sts:AssumeRole']);
    // The logs actions are its own function's log group, nothing of the training jobs'.
    expect(JSON.stringify(policies)).not.toContain('/aws/sagemaker/TrainingJobs');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Action: 'sts:AssumeRole', Principal: { AWS: { 'Fn::GetAtt': [handlerRole, 'Arn'] } } }),
      ]) },
      Description: Match.stringLikeRegexp('acting for tenant default'),
    });
  });

  test('grantInvoke allows execute-api:Invoke on the stage', () => {
    const granted = apiStack({}, 'us-east-1', (scope, created) => {
      created.grantInvoke(new iam.Role(scope, 'User', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    const policy = Object.entries(granted.template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('UserDefaultPolicy'))![1];
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect(statement.Action).toBe('execute-api:Invoke');
    expect(JSON.stringify(statement.Resource)).toMatch(/ApiRestApiDeploymentStage.*"\/\*\/\*"/);
    expect(stack.resolve(api.url)).toBeDefined();
  });

  test('a private API admits only its execute-api endpoint', () => {
    const { template: privateTemplate } = apiStack({ endpointType: PlatformApiEndpointType.PRIVATE });
    privateTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: [Match.anyValue()] },
      Policy: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { StringNotEquals: { 'aws:SourceVpce': [Match.anyValue()] } } })]) },
    });
    privateTemplate.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.execute-api', PrivateDnsEnabled: true });
  });

  test.each(['us-east-1', 'cn-north-1'])('has no unacknowledged cdk-nag finding in %s', (region) => {
    expect(nagFindings(apiStack({}, region).stack)).toEqual([]);
  });

  test.each([
    [{ maxUploadSize: Size.tebibytes(100) }, 'maxUploadSize is 100 TiB'],
    [{ presignedUrlExpiry: Duration.hours(24) }, 'presignedUrlExpiry is 1 day'],
    [{ throttlingRateLimit: 0 }, 'throttlingRateLimit is 0'],
    [{ throttlingBurstLimit: 1.5 }, 'throttlingBurstLimit is 1.5'],
    [{ presignedUrlExpiry: Duration.minutes(50) }, 'it must be whole seconds from 1 minute to 45 minutes'],
    [{ vpcEndpoints: [] }, 'vpcEndpoints is set but endpointType is not PRIVATE'],
  ])('refuses %j naming the prop', (props, message) => {
    expect(() => apiStack(props as Partial<PlatformApiProps>)).toThrow(message);
  });
});

describe('PlatformApi with a JWT authorizer (Cognito user pool or any OIDC issuer)', () => {
  const tenants = [
    new Tenant({ name: 'vision', jwtClaimValues: ['vision'] }),
    new Tenant({ name: 'speech', jwtClaimValues: ['speech'], principalArnPatterns: ['arn:aws:iam::123456789012:role/speech-*'] }),
  ];
  const jwtAuthorizer = { issuer: 'https://login.example.com/', audiences: ['platform-cli'], tenantClaim: 'cognito:groups' };
  const { template, api, stack } = apiStack({ jwtAuthorizer }, 'us-east-1', undefined, tenants);

  test('every method of every route requires the JWT TOKEN authorizer (CUSTOM), none is open', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(Object.keys(API_ROUTES).length);
    const [authorizerId] = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'));
    for (const method of methods) {
      expect(method.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
    }
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN', IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 300,
      IdentityValidationExpression: Match.stringLikeRegexp('earer'),
    });
    expect(api.jwtAuthorizer).toBeDefined();
  });

  test('the authorizer function knows the issuer, audiences and claim, runs outside the VPC and may only write its logs', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { JWT_ISSUER: Match.anyValue() } } } }))[0];
    expect(fn.Properties.Environment.Variables).toMatchObject({ JWT_ISSUER: 'https://login.example.com/', JWT_TENANT_CLAIM: 'cognito:groups' });
    expect(stack.resolve(fn.Properties.Environment.Variables.JWT_AUDIENCES)).toBe('["platform-cli"]');
    expect(fn.Properties.VpcConfig).toBeUndefined();
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role));
    expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement).map((statement: { Action: unknown }) => statement.Action))
      .toEqual([['logs:CreateLogStream', 'logs:PutLogEvents'], ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']]);
  });

  test('grantInvoke grants nothing (the methods do not use IAM) and warns at synth, naming the token to give instead', () => {
    const granted = apiStack({ jwtAuthorizer }, 'us-east-1', (scope, created) => {
      const grant = created.grantInvoke(new iam.Role(scope, 'User', { assumedBy: new iam.AccountRootPrincipal() }));
      expect(grant.success).toBe(false);
    }, tenants);
    expect(granted.template.findResources('AWS::IAM::Policy', { Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'execute-api:Invoke' })]) } } })).toEqual({});
    const warnings = Annotations.fromStack(granted.stack).findWarning('*', Match.stringLikeRegexp('grants nothing: this API authorizes callers by JWT.*tenant claim'));
    expect(warnings).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('grants nothing'))).toHaveLength(0);
  });

  test('the API handler maps the tenant by the declared claim', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [API_ENV.TENANT_CLAIM]: 'cognito:groups' }) } });
  });

  test.each(['us-east-1', 'cn-north-1'])('has no unacknowledged cdk-nag finding in %s', (region) => {
    expect(nagFindings(apiStack({ jwtAuthorizer }, region, undefined, tenants).stack)).toEqual([]);
  });

  test('in the China regions it warns at synth that Lambda authorizers need an ICP licence there', () => {
    const china = apiStack({ jwtAuthorizer }, 'cn-northwest-1', undefined, tenants);
    const warnings = china.template.toJSON() && Annotations.fromStack(china.stack).findWarning('*', Match.stringLikeRegexp('ICP licence'));
    expect(warnings).toHaveLength(1);
    const usEast = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ICP licence'));
    expect(usEast).toHaveLength(0);
  });

  test.each([
    [{ ...jwtAuthorizer, issuer: 'http://login.example.com' }, 'jwtAuthorizer.issuer is "http://login.example.com"'],
    [{ ...jwtAuthorizer, audiences: [] }, 'jwtAuthorizer.audiences must list at least one'],
    [{ ...jwtAuthorizer, jwksUri: 'ftp://x' }, 'jwtAuthorizer.jwksUri is "ftp://x"'],
    [{ ...jwtAuthorizer, tenantClaim: 'a b' }, 'jwtAuthorizer.tenantClaim is "a b"'],
    [{ ...jwtAuthorizer, resultsCacheTtl: Duration.hours(2) }, 'at most 1 hour'],
  ])('refuses %j naming the prop', (options, message) => {
    expect(() => apiStack({ jwtAuthorizer: options }, 'us-east-1', undefined, tenants)).toThrow(message);
  });

  test('refuses a JWT authorizer when no tenant declares jwtClaimValues (every token would be refused)', () => {
    expect(() => apiStack({ jwtAuthorizer })).toThrow(/no tenant declares jwtClaimValues \(tenants: default\)/);
  });
});
