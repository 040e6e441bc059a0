import { App, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DatasetIngestion, DatasetIngestionProps, DatasetPlatformStack, EfsDatasetFileSystem, TrainingEndpoint, TrainingNetwork } from '../../lib';
import { definitionOf, evaluate, nagFindings, statementsOf, type Json } from './support/construct-stack';

function build(props: Partial<DatasetIngestionProps> = {}, region = 'us-east-1') {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { region } });
  const network = new TrainingNetwork(stack, 'Network');
  const ingestion = new DatasetIngestion(stack, 'Ingestion', { network, ...props });
  return { stack, ingestion, template: () => Template.fromStack(stack) };
}

const functionsByService = (t: Template): Record<string, Json> => Object.fromEntries(
  (Object.values(t.findResources('AWS::Lambda::Function')) as Json[])
    .filter((f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
    .map((f) => [f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, f.Properties]));

describe('DatasetIngestion routes zips above singleFunctionMaxZipSize to the distributed conversion', () => {
  const { ingestion, stack, template } = build({ singleFunctionMaxZipSize: Size.gibibytes(20), distributedConversion: { maxConcurrency: 500 } });
  const t = template();
  const fns = functionsByService(t);

  test('the converter knows the threshold, queues hand-offs in the backlog and nudges the dispatcher; it never starts executions itself', () => {
    expect(ingestion.distributedConversion).toBeDefined();
    const distributed = ingestion.distributedConversion!;
    const env = fns['ingest-dataset'].Environment.Variables;
    expect(env.SINGLE_FUNCTION_MAX_BYTES).toBe(String(20 * 1024 ** 3));
    expect(env.DISTRIBUTED_STATE_MACHINE_ARN).toEqual({ Ref: stack.getLogicalId(distributed.stateMachine.node.defaultChild as never) });
    expect(env.DISTRIBUTED_BACKLOG_QUEUE_URL).toEqual({ Ref: stack.getLogicalId(distributed.backlogQueue.node.defaultChild as never) });
    expect(env.DISTRIBUTED_DISPATCHER_FUNCTION).toEqual({ Ref: stack.getLogicalId(distributed.dispatcher.node.defaultChild as never) });
    const statements = statementsOf(t, 'IngestionConverterRole');
    expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('states:')))).toEqual([]);
    expect(statements.find((s) => [s.Action].flat().includes('sqs:SendMessage')).Resource).toMatch(/^<IngestionDistributedBacklog\w+\.Arn>$/);
    expect(statements.find((s) => s.Action === 'lambda:InvokeFunction').Resource).toMatch(/^<IngestionDistributedDispatcherFunction\w+\.Arn>$/);
  });

  test('both paths convert with the same options (the same CONVERSION_OPTIONS JSON) and publish to the same bucket, bus and source', () => {
    const single = fns['ingest-dataset'].Environment.Variables;
    const planner = fns['plan-conversion'].Environment.Variables;
    expect(planner.CONVERSION_OPTIONS).toBe(single.CONVERSION_OPTIONS);
    expect(JSON.parse(planner.CONVERSION_OPTIONS)).toEqual({ shuffleBlockBytes: 16 * 1024 * 1024 });
    for (const name of ['plan-conversion', 'convert-shards', 'finalize-conversion', 'fail-conversion']) {
      const env = fns[name].Environment.Variables;
      expect(env.DATASET_BUCKET).toEqual(single.DATASET_BUCKET);
      expect(env.EVENT_BUS_NAME).toEqual(single.EVENT_BUS_NAME);
      expect(env.EVENT_SOURCE).toEqual(single.EVENT_SOURCE);
    }
    expect(definitionOf(t).States.ConvertShards.MaxConcurrency).toBe(500);
  });

  test('workers read the ingestion\'s upload bucket (uploads/*) and write the dataset bucket (datasets/*)', () => {
    const worker = statementsOf(t, 'IngestionDistributedWorkerRole');
    expect(worker.find((s) => s.Sid === 'ReadUploads').Resource).toMatch(/^<IngestionUploadBucket\w+\.Arn>\/uploads\/\*$/);
    expect(worker.find((s) => s.Sid === 'WriteShards').Resource).toMatch(/^<IngestionDatasetBucket\w+\.Arn>\/datasets\/\*$/);
  });

  test('cdk-nag clean with the distributed conversion inside', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('DatasetIngestion distributed options', () => {
  test('disabled: no state machine, no hand-off; oversize zips fail as before', () => {
    const { ingestion, template } = build({ distributedConversion: { enabled: false } });
    const t = template();
    expect(ingestion.distributedConversion).toBeUndefined();
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(functionsByService(t)['ingest-dataset'].Environment.Variables.DISTRIBUTED_STATE_MACHINE_ARN).toBeUndefined();
  });

  test('isolated subnets without an SQS endpoint: a synth warning (the converter could not queue hand-offs)', () => {
    const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no SQS interface endpoint, so the converter cannot queue the distributed conversion'));
    const app = new App();
    const withoutEndpoint = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
    new DatasetIngestion(withoutEndpoint, 'Ingestion', { network: new TrainingNetwork(withoutEndpoint, 'Network', { interfaceEndpoints: [TrainingEndpoint.EVENTBRIDGE] }) });
    expect(warningsOf(withoutEndpoint)).toHaveLength(1);
    expect(warningsOf(build().stack)).toHaveLength(0);
  });

  test('single-image shuffling warns that workers will read scattered images', () => {
    const { stack } = build({ conversion: { shuffleBlockSize: Size.bytes(0) } });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('read scattered images'))).toHaveLength(1);
    expect(Annotations.fromStack(build().stack).findWarning('*', Match.stringLikeRegexp('read scattered images'))).toHaveLength(0);
  });

  test('EFS: the finalizer and the failure handler mount the writer access point, as the converter does', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'cn-north-1' } });
    const network = new TrainingNetwork(stack, 'Network');
    const fileSystem = new EfsDatasetFileSystem(stack, 'Efs', { network });
    new DatasetIngestion(stack, 'Ingestion', { network, fileSystem });
    const fns = functionsByService(Template.fromStack(stack));
    for (const name of ['ingest-dataset', 'finalize-conversion', 'fail-conversion']) {
      expect(fns[name].FileSystemConfigs).toEqual([{ Arn: expect.anything(), LocalMountPath: '/mnt/datasets' }]);
      expect(fns[name].Environment.Variables).toMatchObject({ EFS_MOUNT_PATH: '/mnt/datasets', EFS_ROOT_DIRECTORY: '/datasets' });
    }
    expect(fns['convert-shards'].FileSystemConfigs).toBeUndefined();
    expect(fns['plan-conversion'].FileSystemConfigs).toBeUndefined();
    expect(evaluate(fns['finalize-conversion'].FileSystemConfigs[0].Arn)).toEqual(evaluate(fns['ingest-dataset'].FileSystemConfigs[0].Arn));
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('the platform stack', () => {
  test('gives the isolated training subnets a Step Functions endpoint, so the converter can hand off (no synth warning)', () => {
    const stack = new DatasetPlatformStack(new App(), 'Platform', { env: { region: 'eu-west-1' } });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-west-1.states',
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Step Functions \\(states\\)'))).toHaveLength(0);
    expect(stack.ingestion.distributedConversion).toBeDefined();
  });
});
