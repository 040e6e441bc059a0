import { Duration, Size } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DistributedConversionProps } from '../../lib';
import { LAMBDA_SERVICE_ERRORS } from '../../contract/distributed-conversion';
import { CFN_LINT, describeWithTool } from '../support/external-tool';
import { lintTemplate } from '../support/cfn-lint';
import { conversionStack, definitionOf, nagFindings, statementsOf, type Json } from './support/construct-stack';

const SERVICE_RETRY = {
  ErrorEquals: [...LAMBDA_SERVICE_ERRORS],
  IntervalSeconds: 2,
  MaxAttempts: 8,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const NO_RETRY_FOR_PERMANENT = { ErrorEquals: ['DistributedConversionRejected', 'DistributedConversionAborted', 'Lambda.Unknown'], MaxAttempts: 0 };

describe('DistributedConversion state machine definition', () => {
  const { template, conversion } = conversionStack();
  const t = template();
  const definition = definitionOf(t);
  const states = definition.States;
  const map = states.ConvertShards;

  test('plan → Distributed Map → finalize → succeed; every step catches into the failure handler, which ends in Fail', () => {
    expect(definition.StartAt).toBe('Plan');
    expect(states.Plan).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'ConvertShards', ResultPath: '$.plan' });
    expect(map.Next).toBe('Finalize');
    expect(states.Finalize.Next).toBe('Converted');
    expect(states.Converted.Type).toBe('Succeed');
    for (const name of ['Plan', 'ConvertShards', 'Finalize']) {
      expect(states[name].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'HandleFailure' }]);
    }
    expect(states.HandleFailure).toMatchObject({ Next: 'ConversionFailed', ResultPath: '$.failure', Parameters: { Payload: { 'input.$': '$$.Execution.Input', 'error.$': '$.error' } } });
    expect(states.ConversionFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  test('the Map runs in DISTRIBUTED mode with STANDARD child executions', () => {
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.Label).toBe('ConvertShards');
  });

  test('ItemReader: the planner\'s JSONL file in the dataset bucket (s3:getObject, InputType JSONL, key from the plan)', () => {
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { Bucket: expect.stringMatching(/^<DatasetsBucket/), 'Key.$': '$.plan.itemsKey' },
    });
    expect(map.ItemSelector).toEqual({ 'item.$': '$$.Map.Item.Value', 'run.$': '$.plan.run', 'itemCount.$': '$.plan.itemCount' });
  });

  test('MaxConcurrency (default 100), zero tolerated failures, ResultWriter to ingestion-work/map-results/', () => {
    expect(map.MaxConcurrency).toBe(100);
    expect(conversion.maxConcurrency).toBe(100);
    expect(map.ToleratedFailureCount).toBe(0);
    expect(map.ToleratedFailurePercentage).toBe(0);
    expect(map.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: expect.stringMatching(/^<DatasetsBucket/), Prefix: 'ingestion-work/map-results/' },
    });
    expect(map.ResultPath).toBe('$.map');
  });

  test('every Lambda task retries the four Lambda service errors with exponential backoff and jitter, never permanent failures, others twice', () => {
    const worker = map.ItemProcessor.States.ConvertWorkItem;
    expect(map.ItemProcessor.StartAt).toBe('ConvertWorkItem');
    expect(worker).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', OutputPath: '$.Payload', End: true });
    expect(worker.Parameters.Payload).toEqual({ 'run.$': '$.run', 'item.$': '$.item', 'itemCount.$': '$.itemCount' });
    for (const task of [states.Plan, worker, states.Finalize, states.HandleFailure]) {
      expect(task.Retry).toEqual([
        SERVICE_RETRY,
        NO_RETRY_FOR_PERMANENT,
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 3, JitterStrategy: 'FULL' },
      ]);
    }
  });

  test('STANDARD state machine, logging ALL with execution data to a log group with retention, X-Ray tracing, a timeout', () => {
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DistributedStateMachineLogs'), 'Arn'] } } }],
      },
    });
    expect(definition.TimeoutSeconds).toBe(6 * 3600);
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'), RetentionInDays: 365 });
  });

  test('five platform functions (arm64, Node 24, VPC, X-Ray) with their memory, timeout and environment', () => {
    const functions = (Object.values(t.findResources('AWS::Lambda::Function')) as Json[]).filter((f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME && f.Properties.VpcConfig);
    const byService = Object.fromEntries(functions.map((f) => [f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, f.Properties]));
    expect(Object.keys(byService).sort()).toEqual(['convert-shards', 'dispatch-conversions', 'fail-conversion', 'finalize-conversion', 'plan-conversion']);
    for (const fn of Object.values(byService) as Json[]) {
      expect(fn).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs24.x', TracingConfig: { Mode: 'Active' }, VpcConfig: expect.anything() });
    }
    expect(byService['convert-shards']).toMatchObject({ MemorySize: 2048, Timeout: 900 });
    expect(byService['plan-conversion']).toMatchObject({ MemorySize: 3008, Timeout: 900 });
    expect(byService['finalize-conversion']).toMatchObject({ MemorySize: 3008, Timeout: 900 });
    expect(byService['plan-conversion'].Environment.Variables).toMatchObject({
      CONVERSION_OPTIONS: JSON.stringify({ shuffleBlockBytes: 16 * 1024 * 1024 }),
      WORK_ITEM_BYTES: String(1024 ** 3),
      EVENT_SOURCE: 'cdk-sagemaker-datasets',
      EVENT_BUS_NAME: { Ref: expect.stringMatching(/^DistributedEventBus/) }, // its own PlatformEventBus
    });
  });
});

describe('DistributedConversion IAM: least privilege per function', () => {
  const { template } = conversionStack();
  const t = template();
  const s3Statements = (prefix: string) => statementsOf(t, prefix).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
  const resourcesOf = (statements: Json[], action: string) => statements.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat());

  test('workers read only uploads/* of the upload bucket and write shards only below datasets/* (plus their own result records and progress markers), and put progress events', () => {
    const statements = s3Statements('DistributedWorkerRole');
    expect(resourcesOf(statements, 's3:GetObjectVersion')).toEqual([expect.stringMatching(/^<UploadsBucket\w+\.Arn>\/uploads\/\*$/)]);
    const reads = resourcesOf(statements, 's3:GetObject');
    expect(reads.filter((r: string) => r.includes('UploadsBucket'))).toEqual([expect.stringMatching(/\/uploads\/\*$/)]);
    expect(reads.filter((r: string) => r.includes('DatasetsBucket')).sort()).toEqual([
      expect.stringMatching(/\/datasets\/\*$/),
      expect.stringMatching(/\/ingestion-work\/\*\/ABORTED$/),
      expect.stringMatching(/\/ingestion-work\/\*\/items\/\*$/),
      expect.stringMatching(/\/ingestion-work\/\*\/results\/\*$/),
    ].sort((a, b) => String(a).localeCompare(String(b))));
    const writes = resourcesOf(statements, 's3:PutObject');
    expect(writes.filter((r: string) => r.includes('UploadsBucket'))).toEqual([]);
    expect(writes.sort()).toEqual([
      expect.stringMatching(/DatasetsBucket\w+\.Arn>\/datasets\/\*$/),
      expect.stringMatching(/DatasetsBucket\w+\.Arn>\/ingestion-work\/\*\/failures\/\*$/),
      expect.stringMatching(/DatasetsBucket\w+\.Arn>\/ingestion-work\/\*\/progress\/\*$/),
      expect.stringMatching(/DatasetsBucket\w+\.Arn>\/ingestion-work\/\*\/results\/\*$/),
    ]);
    expect(resourcesOf(statements, 's3:DeleteObject')).toEqual([expect.stringMatching(/DatasetsBucket\w+\.Arn>\/datasets\/\*$/)]);
    expect(statementsOf(t, 'DistributedWorkerRole').some((s) => [s.Action].flat().includes('events:PutEvents'))).toBe(true); // DatasetConversionProgress
  });

  test('the planner reads uploads/* and writes only its work files below ingestion-work/* and the channels\' conversion-status.json', () => {
    const statements = s3Statements('DistributedPlannerRole');
    expect(resourcesOf(statements, 's3:PutObject')).toEqual([
      expect.stringMatching(/DatasetsBucket\w+\.Arn>\/ingestion-work\/\*$/),
      expect.stringMatching(/DatasetsBucket\w+\.Arn>\/datasets\/\*\/conversion-status\.json$/),
    ]);
    expect(resourcesOf(statements, 's3:GetObjectVersion')).toEqual([expect.stringMatching(/UploadsBucket\w+\.Arn>\/uploads\/\*$/)]);
    expect(JSON.stringify(statements).replace(/\/datasets\/\*\/conversion-status\.json/g, '')).not.toMatch(/\/datasets\//);
  });

  test('the finalizer writes the manifest and pointer below datasets/* and puts events; it never reads uploads', () => {
    const statements = statementsOf(t, 'DistributedFinalizerRole');
    const commit = statements.find((s) => s.Sid === 'CommitVersions');
    expect(commit.Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:GetObjectTagging', 's3:PutObjectTagging']);
    expect(commit.Resource).toMatch(/DatasetsBucket\w+\.Arn>\/datasets\/\*$/);
    expect(statements.find((s) => s.Action === 'events:PutEvents').Resource).toMatch(/^<DistributedEventBus\w+\.Arn>$/);
    expect(JSON.stringify(statements)).not.toMatch(/UploadsBucket\w+\.Arn>\/uploads/);
  });

  test('the failure handler may only delete below datasets/* and ingestion-work/*, and put events', () => {
    const statements = statementsOf(t, 'DistributedFailureHandlerRole');
    expect(resourcesOf(statements, 's3:DeleteObject').sort()).toEqual([expect.stringMatching(/\/datasets\/\*$/), expect.stringMatching(/\/ingestion-work\/\*$/)]);
    expect(resourcesOf(statements, 's3:PutObject')).toEqual([expect.stringMatching(/\/ingestion-work\/\*$/), expect.stringMatching(/\/datasets\/\*\/conversion-status\.json$/)]);
    expect(statements.some((s) => s.Action === 'events:PutEvents')).toBe(true);
  });

  test('no function has an s3 action wildcard or an s3 resource of *', () => {
    const all = ['DistributedPlannerRole', 'DistributedWorkerRole', 'DistributedFinalizerRole', 'DistributedFailureHandlerRole', 'DistributedDispatcherRole'].flatMap((p) => s3Statements(p));
    expect(all.flatMap((s) => [s.Action].flat()).filter((a: string) => a.includes('*'))).toEqual([]);
    expect(all.flatMap((s) => [s.Resource].flat()).filter((r: string) => r === '*' || /:::[^/]+\/\*$/.test(r))).toEqual([]);
  });

  test('the state machine reads items.jsonl only below ingestion-work/ and writes Map Run results only below ingestion-work/map-results/', () => {
    const statements = statementsOf(t, 'DistributedStateMachineRole');
    const s3 = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(resourcesOf(s3, 's3:GetObject').sort()).toEqual([expect.stringMatching(/\/ingestion-work\/\*$/), expect.stringMatching(/\/ingestion-work\/map-results\/\*$/)]);
    expect(resourcesOf(s3, 's3:PutObject')).toEqual([expect.stringMatching(/\/ingestion-work\/map-results\/\*$/)]);
    const invoke = resourcesOf(statements, 'lambda:InvokeFunction');
    expect(invoke.length).toBe(8); // four functions and their versions
    const mapPolicy = Object.values(t.findResources('AWS::IAM::Policy') as Record<string, Json>).find((p) => /DistributedMapPolicy/.test(p.Properties.PolicyName));
    expect(JSON.stringify(mapPolicy.Properties.PolicyDocument.Statement)).toMatch(/states:StartExecution/);
  });

  test('grantStartExecution lets the ingestion function start conversions, on this state machine only', () => {
    const { stack, conversion, template: tt } = conversionStack();
    const role = new iam.Role(stack, 'Starter', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    conversion.grantStartExecution(role);
    const statements = statementsOf(tt(), 'StarterDefaultPolicy');
    expect(statements).toEqual([expect.objectContaining({ Action: 'states:StartExecution', Resource: expect.stringMatching(/^<DistributedStateMachine\w+>$/) })]);
  });

  test('KMS-encrypted buckets: the functions and the state machine get decrypt/encrypt on the keys', () => {
    const { template: tt } = conversionStack({}, { kms: true });
    const kms = statementsOf(tt(), 'DistributedWorkerRole').filter((s) => [s.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect(kms.length).toBeGreaterThanOrEqual(2);
  });
});

describe('DistributedConversion props', () => {
  test('maxConcurrency, work item size, worker memory/timeout/retries, timeout reach the template', () => {
    const { template } = conversionStack({ maxConcurrency: 1000, workItemSize: Size.mebibytes(512), workerMemorySize: 4096, workerTimeout: Duration.minutes(5), workerRetries: 0, timeout: Duration.hours(2) });
    const t = template();
    const definition = definitionOf(t);
    expect(definition.States.ConvertShards.MaxConcurrency).toBe(1000);
    expect(definition.TimeoutSeconds).toBe(7200);
    expect(definition.States.ConvertShards.ItemProcessor.States.ConvertWorkItem.Retry).toEqual([SERVICE_RETRY, NO_RETRY_FOR_PERMANENT]);
    t.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 4096, Timeout: 300, Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'convert-shards' }) } });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ WORK_ITEM_BYTES: String(512 * 1024 ** 2) }) } });
  });

  test('conversion options are resolved exactly as DatasetIngestion resolves them', () => {
    const { template } = conversionStack({ conversion: { targetShardSize: Size.mebibytes(64), shuffleBlockSize: Size.mebibytes(8), seed: 7, maxRejectedFraction: 0.01, validationFraction: 0.2 } });
    template().hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONVERSION_OPTIONS: JSON.stringify({ targetShardBytes: 64 * 1024 ** 2, shuffleBlockBytes: 8 * 1024 ** 2, maxRejectedFraction: 0.01, seed: 7, validationFraction: 0.2 }) }) },
    });
  });

  test.each<[string, Partial<DistributedConversionProps>, RegExp]>([
    ['concurrency 0', { maxConcurrency: 0 }, /maxConcurrency is 0; it must be a whole number from 1 to 10000\. Distributed Map runs at most 10000/],
    ['concurrency above 10000', { maxConcurrency: 20000 }, /maxConcurrency is 20000; it must be a whole number from 1 to 10000/],
    ['fractional concurrency', { maxConcurrency: 1.5 }, /maxConcurrency is 1\.5/],
    ['tiny work items', { workItemSize: Size.kibibytes(64) }, /workItemSize is 65536 bytes; it must be at least 1048576 bytes \(1 MiB\)\. Use e\.g\. Size\.gibibytes\(1\)/],
    ['worker memory', { workerMemorySize: 64 }, /workerMemorySize is 64; it must be a whole number from 128 to 10240\. Lambda accepts/],
    ['planner memory', { plannerMemorySize: 20000 }, /plannerMemorySize is 20000/],
    ['finalizer memory', { finalizerMemorySize: 100 }, /finalizerMemorySize is 100/],
    ['worker timeout above 15 minutes', { workerTimeout: Duration.minutes(20) }, /workerTimeout is 20 minutes; it must be whole seconds from 1 second to 15 minutes.*smaller workItemSize/],
    ['retries', { workerRetries: 11 }, /workerRetries is 11; it must be a whole number from 0 to 10/],
    ['timeout', { timeout: Duration.seconds(10) }, /timeout is 10 seconds; it must be from 1 minute to 1 year/],
    ['shard size', { conversion: { targetShardSize: Size.kibibytes(1) } }, /conversion\.targetShardSize is 1024 bytes; it must be at least 1048576 bytes/],
    ['seed', { conversion: { seed: -1 } }, /conversion\.seed is -1; it must be a whole number from 0 to 4294967295/],
  ])('%s: the message names the prop, the value, the rule and the fix', (_name, props, message) => {
    expect(() => conversionStack(props)).toThrow(message);
    expect(() => conversionStack(props)).toThrow(/^DistributedConversion Test\/Distributed: /);
  });
});

describe('DistributedConversion compliance', () => {
  test('cdk-nag: zero unacknowledged findings in all five packs (SSE-S3 and KMS buckets)', () => {
    expect(nagFindings(conversionStack().stack)).toEqual([]);
    expect(nagFindings(conversionStack({}, { kms: true }).stack)).toEqual([]);
  });
});

describeWithTool(CFN_LINT, 'cfn-lint: DistributedConversion', () => {
  test.concurrent.each(['us-east-1', 'cn-north-1'])('lints clean in %s', async (region) => {
    expect(await lintTemplate(conversionStack({}, { region }).template().toJSON(), region)).toEqual([]);
  });
});
