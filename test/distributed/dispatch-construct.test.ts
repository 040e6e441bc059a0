import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DistributedConversion, DistributedConversionProps, SecureBucket, TrainingNetwork } from '../../lib';
import { conversionStack, statementsOf, type Json } from './support/construct-stack';

const byService = (t: Template): Record<string, Json> => Object.fromEntries(
  (Object.values(t.findResources('AWS::Lambda::Function')) as Json[])
    .filter((f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
    .map((f) => [f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, f]));
const nagSuppressions = (fn: Json): string[] => (fn.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((r: { id: string }) => r.id);

describe('DistributedConversion: at most maxConcurrentConversions at once, the rest queued', () => {
  const { template, conversion, stack } = conversionStack();
  const t = template();
  const fns = byService(t);

  test('a FIFO backlog queue (KMS or SQS-managed SSE, TLS only, 14 days, 120 s visibility) with a FIFO dead-letter queue after 5 receives', () => {
    expect(conversion.maxConcurrentConversions).toBe(2);
    t.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true, MessageRetentionPeriod: 14 * 86400, VisibilityTimeout: 120, SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [stack.getLogicalId(conversion.backlogDeadLetterQueue.node.defaultChild as never), 'Arn'] }, maxReceiveCount: 5 },
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', { Queues: [{ Ref: stack.getLogicalId(conversion.backlogQueue.node.defaultChild as never) }], PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
  });

  test('the dispatcher: reserved concurrency 1, 1 minute, its environment, a dead-letter queue of its own', () => {
    const dispatcher = fns['dispatch-conversions'].Properties;
    expect(dispatcher).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 60, MemorySize: 256, DeadLetterConfig: { TargetArn: expect.anything() } });
    expect(dispatcher.Environment.Variables).toMatchObject({
      STATE_MACHINE_ARN: { Ref: stack.getLogicalId(conversion.stateMachine.node.defaultChild as never) },
      BACKLOG_QUEUE_URL: { Ref: stack.getLogicalId(conversion.backlogQueue.node.defaultChild as never) },
      MAX_CONCURRENT_CONVERSIONS: '2',
      DATASET_BUCKET: expect.anything(),
    });
  });

  test('it runs when an execution of this state machine ends and every 5 minutes, each with retries and the dispatcher\'s dead-letter queue', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: stack.getLogicalId(conversion.stateMachine.node.defaultChild as never) }], status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } })] });
  });

  test('least privilege: count, describe and start this state machine\'s executions, take backlog messages, read and write the ledger only', () => {
    const statements = statementsOf(t, 'DistributedDispatcherRole');
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.CountAndStartConversions).toMatchObject({ Action: ['states:ListExecutions', 'states:StartExecution'], Resource: expect.stringMatching(/^<DistributedStateMachine\w+>$/) });
    expect(bySid.DescribeConversions.Resource).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:.*:\*$/);
    expect(bySid.TakeQueuedConversions).toMatchObject({ Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: expect.stringMatching(/^<DistributedBacklog\w+\.Arn>$/) });
    expect(bySid.DispatchLedger).toMatchObject({ Action: ['s3:GetObject', 's3:PutObject'], Resource: expect.stringMatching(/\/ingestion-work\/dispatch\/started\.json$/) });
  });

  test('grantQueueConversion: send to the backlog and invoke the dispatcher, nothing else', () => {
    const { stack: s, conversion: c, template: tt } = conversionStack();
    const role = new iam.Role(s, 'Router', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    c.grantQueueConversion(role);
    const actions = statementsOf(tt(), 'RouterDefaultPolicy').flatMap((st) => [st.Action].flat()).sort();
    expect(actions).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
  });

  test('reserved concurrency: workers maxConcurrency × maxConcurrentConversions (200), planner, finalizer and failure handler one per conversion (2)', () => {
    expect(fns['convert-shards'].Properties.ReservedConcurrentExecutions).toBe(200);
    for (const name of ['plan-conversion', 'finalize-conversion', 'fail-conversion']) expect(fns[name].Properties.ReservedConcurrentExecutions).toBe(2);
  });

  test('no LambdaConcurrency acknowledgment remains on any function of the conversion: each one is capped', () => {
    for (const fn of Object.values(fns)) {
      expect(nagSuppressions(fn).filter((id) => /LambdaConcurrency/.test(id))).toEqual([]);
    }
  });
});

describe('DistributedConversion concurrency props', () => {
  test('maxConcurrentConversions and workerReservedConcurrency reach the template', () => {
    const { template, conversion } = conversionStack({ maxConcurrentConversions: 4, maxConcurrency: 50, workerReservedConcurrency: 300 });
    const fns = byService(template());
    expect(conversion.maxConcurrentConversions).toBe(4);
    expect(fns['dispatch-conversions'].Properties.Environment.Variables.MAX_CONCURRENT_CONVERSIONS).toBe('4');
    expect(fns['convert-shards'].Properties.ReservedConcurrentExecutions).toBe(300);
    expect(fns['plan-conversion'].Properties.ReservedConcurrentExecutions).toBe(4);
  });

  test('the default reservation follows maxConcurrency and maxConcurrentConversions', () => {
    expect(byService(conversionStack({ maxConcurrency: 30, maxConcurrentConversions: 3 }).template())['convert-shards'].Properties.ReservedConcurrentExecutions).toBe(90);
  });

  test('a reservation below all conversions at full width warns (workers are throttled and retried); none at the default', () => {
    const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('workerReservedConcurrency is 150, below maxConcurrency × maxConcurrentConversions \\(100 × 2 = 200\\)'));
    expect(warnings(conversionStack({ workerReservedConcurrency: 150 }).stack)).toHaveLength(1);
    expect(Annotations.fromStack(conversionStack().stack).findWarning('*', Match.stringLikeRegexp('workerReservedConcurrency'))).toHaveLength(0);
  });

  test('tokens pass: maxConcurrentConversions from a parameter reaches the dispatcher; a token maxConcurrency without a reservation warns and reserves nothing', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
    const n = new CfnParameter(stack, 'Conversions', { type: 'Number' }).valueAsNumber;
    const { conversion } = conversionStackIn(stack, { maxConcurrentConversions: n, workerReservedConcurrency: 120 });
    const fns = byService(Template.fromStack(stack));
    expect(fns['dispatch-conversions'].Properties.Environment.Variables.MAX_CONCURRENT_CONVERSIONS).toEqual({ Ref: 'Conversions' });
    expect(fns['plan-conversion'].Properties.ReservedConcurrentExecutions).toEqual({ Ref: 'Conversions' });
    expect(conversion.maxConcurrentConversions).toBe(n);

    const other = new Stack(new App(), 'Other', { env: { region: 'us-east-1' } });
    conversionStackIn(other, { maxConcurrency: new CfnParameter(other, 'Width', { type: 'Number' }).valueAsNumber });
    expect(byService(Template.fromStack(other))['convert-shards'].Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('the workers reserve no concurrency'))).toHaveLength(1);
  });

  test.each<[string, Partial<DistributedConversionProps>, RegExp]>([
    ['no conversion at once', { maxConcurrentConversions: 0 }, /maxConcurrentConversions is 0; it must be a whole number from 1 to 100\. Use e\.g\. 2; uploads beyond it wait in the backlog queue/],
    ['too many at once', { maxConcurrentConversions: 101 }, /maxConcurrentConversions is 101; it must be a whole number from 1 to 100/],
    ['a reservation below one conversion\'s width', { workerReservedConcurrency: 50 }, /workerReservedConcurrency is 50; it must be at least maxConcurrency \(100\), or every conversion's workers are throttled\. Raise workerReservedConcurrency to 100 or more, or lower maxConcurrency to 50\./],
    ['a fractional reservation', { workerReservedConcurrency: 150.5 }, /workerReservedConcurrency is 150\.5; it must be a whole number from 1 to 10000/],
  ])('%s: the message names the prop, the value, the rule and the fix', (_name, props, message) => {
    expect(() => conversionStack(props)).toThrow(message);
    expect(() => conversionStack(props)).toThrow(/^DistributedConversion Test\/Distributed: /);
  });
});

function conversionStackIn(stack: Stack, props: Partial<DistributedConversionProps>) {
  // The same construction as conversionStack(), in a stack that holds the parameters.
  const network = new TrainingNetwork(stack, 'Network');
  const uploads = new SecureBucket(stack, 'Uploads');
  const datasets = new SecureBucket(stack, 'Datasets', { accessLogsBucket: uploads.accessLogsBucket });
  return { conversion: new DistributedConversion(stack, 'Distributed', { network, uploadBucket: uploads.bucket, datasetBucket: datasets.bucket, ...props }) };
}
