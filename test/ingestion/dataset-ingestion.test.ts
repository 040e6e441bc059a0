import { App, CfnElement, CfnParameter, Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  DatasetIngestion, DatasetIngestionProps, EfsDatasetFileSystem, LustreDatasetFileSystem, TrainingEndpoint, TrainingNetwork, UploadNotificationRoute,
} from '../../lib';
import { UPLOAD_KEY_PREFIX, UPLOAD_KEY_SUFFIX } from '../../contract/ingestion-events';
import { DATASET_PREFIX, UPLOAD_PREFIX, UPLOAD_SUFFIX } from '../../lambda/src/catalog';
import { CFN_LINT, describeWithTool } from '../support/external-tool';
import { lintTemplate } from '../support/cfn-lint';
import { nagFindings } from '../support/nag';
import type { IConstruct } from 'constructs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON
type Json = any;
type Resources = Record<string, { Type: string; Properties: Record<string, Json>; DependsOn?: unknown }>;

function build(props: Partial<DatasetIngestionProps> = {}, region = 'us-east-1', networkProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { region } });
  const network = new TrainingNetwork(stack, 'Network', networkProps);
  const ingestion = new DatasetIngestion(stack, 'Ingestion', { network, ...props });
  return { app, stack, network, ingestion, template: () => Template.fromStack(stack) };
}

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.toJSON().Resources as Resources).filter(([, r]) => r.Type === type);



describe('DatasetIngestion defaults', () => {
  const { ingestion, stack, template: t } = build();
  const template = t();

  test('the key layout agrees with the catalog the handler uses', () => {
    expect([UPLOAD_KEY_PREFIX, UPLOAD_KEY_SUFFIX]).toEqual([UPLOAD_PREFIX, UPLOAD_SUFFIX]);
    expect(DATASET_PREFIX).toBe('datasets/');
  });

  test('two secure buckets (uploads, datasets) and one shared access-log bucket', () => {
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    expect(ingestion.uploadBucket).not.toBe(ingestion.datasetBucket);
    for (const bucket of [ingestion.uploadStorage!.bucket, ingestion.datasetStorage!.bucket]) {
      const logicalId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
      const props = (template.toJSON().Resources as Resources)[logicalId].Properties;
      expect(props).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: expect.anything() },
      });
      expect(props.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } })]));
    }
    expect(ingestion.uploadStorage!.accessLogsBucket).toBe(ingestion.datasetStorage!.accessLogsBucket);
    const upload = (template.toJSON().Resources as Resources)[stack.getLogicalId(ingestion.uploadStorage!.bucket.node.defaultChild as s3.CfnBucket)].Properties;
    expect(upload.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]));
    // Both buckets deny non-TLS requests.
    template.resourcePropertiesCountIs('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    }, 3);
  });

  test('the queue: SSE, TLS only, 14-day retention, visibility 6 × timeout, DLQ after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 5400,
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngestionDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600, RedrivePolicy: Match.absent() });
    const sslDeny = Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    for (const queue of [ingestion.queue, ingestion.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue) }],
        PolicyDocument: { Statement: Match.arrayWith([sslDeny]) },
      });
    }
  });

  test('an alarm on the dead-letter queue depth', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngestionDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('redrive'),
    });
  });

  test('the converter: prebuilt asset, arm64, Node 24, 2048 MiB, 15 min, training subnets, X-Ray, JSON logs, its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 2048,
      Timeout: 900,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: [Match.anyValue()] },
      Environment: {
        Variables: Match.objectLike({
          DATASET_BUCKET: { Ref: Match.stringLikeRegexp('IngestionDatasetBucket') },
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^IngestionEventBus') }, // its own PlatformEventBus
          EVENT_SOURCE: 'cdk-sagemaker-datasets',
          MAX_RECEIVE_COUNT: '5',
          SINGLE_FUNCTION_MAX_BYTES: String(10 * 1024 ** 3),
          ESTIMATED_BYTES_PER_SECOND: String(32 * 1024 ** 2),
          MAX_UPLOAD_BYTES: String(200 * 1024 ** 3),
          // The default 16 MiB shuffle runs, shared with the distributed conversion (sequential worker reads).
          CONVERSION_OPTIONS: JSON.stringify({ shuffleBlockBytes: 16 * 1024 * 1024 }),
          POWERTOOLS_SERVICE_NAME: 'ingest-dataset',
        }),
      },
    });
    const fn = resourcesOf(template, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Environment?.Variables?.EVENT_SOURCE)!;
    expect(fn[1].Properties.Environment.Variables.EFS_MOUNT_PATH).toBeUndefined();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('the SQS event source: batch 1, maximum concurrency 2, partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngestionQueue'), 'Arn'] },
    });
  });

  test('S3 → EventBridge → rule (uploads/*.zip, uploads/*.tfrecord) → queue, with the DLQ for undeliverable events', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: Match.stringLikeRegexp('IngestionUploadBucket') }] }, object: { key: [{ wildcard: 'uploads/*.zip' }, { wildcard: 'uploads/*.tfrecord' }] } },
      },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngestionQueue'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngestionDeadLetterQueue'), 'Arn'] } },
      })],
    });
    expect(ingestion.notificationRoute).toBe(UploadNotificationRoute.EVENTBRIDGE);
    // EventBridge is enabled on the upload bucket only, through the merge-preserving resource; no
    // queue/topic/Lambda notification and no aws-cdk-lib notification resource exist.
    template.resourcePropertiesCountIs('Custom::BucketEventBridgeNotifications', { BucketName: { Ref: Match.stringLikeRegexp('IngestionUploadBucket') } }, 1);
    template.resourceCountIs('Custom::BucketEventBridgeNotifications', 1);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/QueueConfigurations/);
    // EventBridge may send to the queue (scoped to the rule), and to the DLQ for undeliverable events.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } } })]) },
    });
  });

  test('least privilege: read uploads/*, write datasets/* and ingestion-leases/*, list the two buckets, put events on the bus; no s3:* or GetObject* wildcards', () => {
    const policies = resourcesOf(template, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('IngestionConverterRole'));
    expect(policies).toHaveLength(1);
    const statements = policies[0][1].Properties.PolicyDocument.Statement as Array<Record<string, Json>>;
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.ReadUploads.Action).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(JSON.stringify(bySid.ReadUploads.Resource)).toMatch(/IngestionUploadBucket.*\/uploads\/\*/);
    expect(bySid.WriteDatasetVersions.Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:GetObjectTagging', 's3:PutObjectTagging']);
    expect(JSON.stringify(bySid.WriteDatasetVersions.Resource)).toMatch(/IngestionDatasetBucket.*\/datasets\/\*/);
    expect(bySid.VersionLeases.Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);
    expect(JSON.stringify(bySid.VersionLeases.Resource)).toMatch(/IngestionDatasetBucket.*\/ingestion-leases\/\*/);
    expect(bySid.ListBuckets.Action).toBe('s3:ListBucket');
    const putEvents = statements.find((s) => s.Action === 'events:PutEvents')!;
    expect(putEvents.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^IngestionEventBus/), 'Arn'] });
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => /^s3:.*\*|^s3:\*$/.test(a))).toEqual([]);
  });

  test('handles: queue, DLQ, alarm, converter, rule, bus and source', () => {
    expect(ingestion.uploadRule).toBeDefined();
    expect(ingestion.eventSource).toBe('cdk-sagemaker-datasets');
    expect((ingestion.converter as lambda.Function).runtime.name).toBe('nodejs24.x');
    expect(ingestion.converter.connections.securityGroups).toHaveLength(1);
    expect(ingestion.deadLetterAlarm.alarmArn).toBeDefined();
  });

  test('cdk-nag: zero unacknowledged findings in all five packs', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('DatasetIngestion props', () => {
  test('memory, timeout (visibility follows at 6×), receive count, concurrency, batch size', () => {
    const { template } = build({ memorySize: 4096, timeout: Duration.minutes(5), maxReceiveCount: 3, maxConcurrency: 10, batchSize: 4 });
    const t = template();
    t.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 4096, Timeout: 300, Environment: { Variables: Match.objectLike({ MAX_RECEIVE_COUNT: '3' }) } });
    t.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 1800, RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 4, ScalingConfig: { MaximumConcurrency: 10 } });
  });

  test('maxUploadSize reaches the handler and the handle; a token in bytes passes through to deploy time', () => {
    const { ingestion, template } = build({ maxUploadSize: Size.gibibytes(50) });
    expect(ingestion.maxUploadBytes).toBe(50 * 1024 ** 3);
    template().hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MAX_UPLOAD_BYTES: String(50 * 1024 ** 3) }) } });

    const app = new App();
    const stack = new Stack(app, 'Tokens', { env: { region: 'us-east-1' } });
    const limit = new CfnParameter(stack, 'MaxUploadBytes', { type: 'Number' });
    new DatasetIngestion(stack, 'Ingestion', { network: new TrainingNetwork(stack, 'Network'), maxUploadSize: Size.bytes(limit.valueAsNumber) });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAX_UPLOAD_BYTES: { Ref: 'MaxUploadBytes' } }) },
    });
    expect(() => new DatasetIngestion(stack, 'Ingestion2', { network: new TrainingNetwork(stack, 'Network2'), maxUploadSize: Size.gibibytes(limit.valueAsNumber) }))
      .toThrow(/maxUploadSize is a token size \(.*\); a token size must be given in bytes, as CDK cannot convert a token between units\. Write Size\.bytes\(parameter\.valueAsNumber\)/);
  });

  test('an explicit visibility timeout above 6 × timeout', () => {
    build({ timeout: Duration.minutes(1), visibilityTimeout: Duration.hours(1) }).template().hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 3600 });
  });

  test('time budget and conversion settings reach the handler', () => {
    const { template } = build({
      singleFunctionMaxZipSize: Size.gibibytes(2),
      estimatedThroughputPerSecond: Size.mebibytes(50),
      conversion: { targetShardSize: Size.mebibytes(64), maxRejectedFraction: 0.01, seed: 7, shuffleBlockSize: Size.mebibytes(4), maxImagePixels: 1000000, validationFraction: 0.1 },
    });
    template().hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SINGLE_FUNCTION_MAX_BYTES: String(2 * 1024 ** 3),
          ESTIMATED_BYTES_PER_SECOND: String(50 * 1024 ** 2),
          CONVERSION_OPTIONS: JSON.stringify({ targetShardBytes: 64 * 1024 ** 2, shuffleBlockBytes: 4 * 1024 ** 2, maxRejectedFraction: 0.01, seed: 7, maxImagePixels: 1000000, validationFraction: 0.1 }),
        }),
      },
    });
  });

  test('a custom bus and source: events go there and the on* rules listen there', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'eu-west-1' } });
    const bus = new events.EventBus(stack, 'PlatformBus');
    const ingestion = new DatasetIngestion(stack, 'Ingestion', { network: new TrainingNetwork(stack, 'Network'), eventBus: bus, eventSource: 'com.example.datasets' });
    const api = new sqs.Queue(stack, 'Api', { enforceSSL: true });
    const convertedRule = ingestion.onDatasetConverted('Converted', { target: new targets.SqsQueue(api) });
    const failedRule = ingestion.onDatasetConversionFailed('Failed', { eventPattern: { detail: { code: ['too-large'] } } });
    expect(convertedRule).toBeInstanceOf(events.Rule);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('PlatformBus') }, EVENT_SOURCE: 'com.example.datasets' }) } });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('PlatformBus') },
      EventPattern: { source: ['com.example.datasets'], 'detail-type': ['DatasetConverted'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Api'), 'Arn'] } })],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['com.example.datasets'], 'detail-type': ['DatasetConversionFailed'], detail: { code: ['too-large'] } },
    });
    expect(failedRule.node.scope).toBe(ingestion);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('PlatformBus'), 'Arn'] } })]) },
    });
  });

  test('onDatasetConversionQueued: a rule on the platform bus for DatasetConversionQueued, whose target gets a dead-letter queue', () => {
    const { stack, ingestion } = build();
    const consumer = new sqs.Queue(stack, 'Consumer', { enforceSSL: true });
    const rule = ingestion.onDatasetConversionQueued('Queued', { target: new targets.SqsQueue(consumer) });
    const dlq = rule.node.findChild('DeadLetterQueue');
    const id = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^IngestionEventBus') },
      EventPattern: { source: ['cdk-sagemaker-datasets'], 'detail-type': ['DatasetConversionQueued'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id(consumer), 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(dlq), 'Arn'] } } })],
    });
    // The library adds no finding; the consumer's own queue (no dead-letter queue of its own) is the consumer's to judge.
    expect(nagFindings(stack).filter((finding) => !/ at Test\/Consumer\//.test(finding))).toEqual([]);
  });

  test('existing buckets: nothing new is created, permissions name them', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
    const uploads = s3.Bucket.fromBucketName(stack, 'Uploads', 'team-uploads');
    const datasets = s3.Bucket.fromBucketName(stack, 'Datasets', 'team-datasets');
    const ingestion = new DatasetIngestion(stack, 'Ingestion', { network: new TrainingNetwork(stack, 'Network'), uploadBucket: uploads, datasetBucket: datasets });
    const t = Template.fromStack(stack);
    expect(resourcesOf(t, 'AWS::S3::Bucket')).toEqual([]);
    expect(ingestion.uploadStorage).toBeUndefined();
    const json = JSON.stringify(t.toJSON());
    expect(json).toMatch(/team-uploads\/uploads\/\*/);
    expect(json).toMatch(/team-datasets\/datasets\/\*/);
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DATASET_BUCKET: 'team-datasets' }) } });
    t.hasResourceProperties('Custom::BucketEventBridgeNotifications', { BucketName: 'team-uploads' });
    t.resourceCountIs('Custom::S3BucketNotifications', 0);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('one bucket for uploads and datasets (prefixes) works with the EventBridge route', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
    const bucket = s3.Bucket.fromBucketName(stack, 'Shared', 'team-data');
    new DatasetIngestion(stack, 'Ingestion', { network: new TrainingNetwork(stack, 'Network'), uploadBucket: bucket, datasetBucket: bucket });
    const t = Template.fromStack(stack);
    const list = resourcesOf(t, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement).find((s: Json) => s.Sid === 'ListBuckets');
    expect(list.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::team-data']] });
  });

  test('upload expiration, shared access-log bucket, log retention and removal policy', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
    const logBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'team-logs');
    new DatasetIngestion(stack, 'Ingestion', {
      network: new TrainingNetwork(stack, 'Network'), accessLogsBucket: logBucket, uploadExpiration: Duration.days(30),
      logRetention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY,
    });
    const t = Template.fromStack(stack);
    expect(resourcesOf(t, 'AWS::S3::Bucket')).toHaveLength(2);
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: 'team-logs', LogFilePrefix: 'UploadBucket/' },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireUploads', Prefix: 'uploads/', ExpirationInDays: 30 })]) },
    });
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('grantUpload and grantReadDatasets', () => {
    const { stack, ingestion, template } = build();
    const role = new iam.Role(stack, 'Uploader', { assumedBy: new iam.AccountRootPrincipal() });
    ingestion.grantUpload(role);
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    ingestion.grantReadDatasets(reader);
    const policies = resourcesOf(template(), 'AWS::IAM::Policy');
    const statementsOf = (prefix: string) => policies.filter(([id]) => id.startsWith(prefix)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statementsOf('UploaderDefaultPolicy')).toEqual([expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] })]);
    expect(JSON.stringify(statementsOf('UploaderDefaultPolicy'))).toMatch(/\/uploads\/\*/);
    expect(statementsOf('ReaderDefaultPolicy')).toEqual([expect.objectContaining({ Action: 's3:GetObject' })]);
    expect(JSON.stringify(statementsOf('ReaderDefaultPolicy'))).toMatch(/\/datasets\/\*/);
  });

  test('direct S3 → SQS notifications (option): prefix and suffix filter, no EventBridge rule, cdk-nag clean', () => {
    const { stack, ingestion, template } = build({ notificationRoute: UploadNotificationRoute.S3_NOTIFICATION });
    const t = template();
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: ['.zip', '.tfrecord'].map((suffix) => ({
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: suffix }, { Name: 'prefix', Value: 'uploads/' }] } },
          QueueArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngestionQueue'), 'Arn'] },
        })),
      },
    });
    expect(ingestion.uploadRule).toBeUndefined();
    // Only the retention schedule and the distributed conversion's dispatcher rules: no upload rule.
    expect(resourcesOf(t, 'AWS::Events::Rule').filter(([id]) => !/Retention|DistributedExecutionEnded|DistributedDispatchSchedule/.test(String(id)))).toEqual([]);
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 's3.amazonaws.com' } })]) },
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('the direct route is refused on a bucket a data repository association auto-imports from', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network');
    const lustre = new LustreDatasetFileSystem(stack, 'Lustre', { network, storageCapacityGiB: 1200 });
    const shared = new s3.Bucket(stack, 'Shared');
    lustre.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket: shared, bucketPrefix: 'datasets/' });
    new DatasetIngestion(stack, 'Ingestion', { network, uploadBucket: shared, datasetBucket: shared, fileSystem: lustre, notificationRoute: UploadNotificationRoute.S3_NOTIFICATION });
    expect(() => app.synth()).toThrow(/DatasetIngestion Test\/Ingestion: notificationRoute is UploadNotificationRoute\.S3_NOTIFICATION, but the upload bucket Test\/Shared is auto-imported by the FSx for Lustre data repository association Test\/Lustre\/Link.*Use notificationRoute: UploadNotificationRoute\.EVENTBRIDGE/s);
  });

  test('FSx for Lustre (us-east-1): the converter and the distributed finalizer may create and describe data repository tasks on that file system only, and know its id', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network');
    const lustre = new LustreDatasetFileSystem(stack, 'Lustre', { network, storageCapacityGiB: 1200 });
    const ingestion = new DatasetIngestion(stack, 'Ingestion', { network, fileSystem: lustre });
    lustre.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket: ingestion.datasetBucket, bucketPrefix: 'datasets/' });
    const t = Template.fromStack(stack);
    const fsRef = stack.resolve(lustre.fileSystemId);
    const fileSystemArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':fsx:us-east-1:', { Ref: 'AWS::AccountId' }, ':file-system/', fsRef]] };
    const taskArns = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':fsx:us-east-1:', { Ref: 'AWS::AccountId' }, ':task/*']] };
    for (const role of [ingestion.converter.role!, ingestion.distributedConversion!.finalizer.role!]) {
      const policies = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] } }));
      const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[]);
      expect(statements.filter((st) => JSON.stringify(st.Action).includes('fsx:'))).toEqual([
        expect.objectContaining({ Sid: 'ImportVersionsOntoLustre', Action: 'fsx:CreateDataRepositoryTask', Resource: [fileSystemArn, taskArns] }),
        expect.objectContaining({ Sid: 'WatchLustreImports', Action: 'fsx:DescribeDataRepositoryTasks', Resource: taskArns }),
      ]);
    }
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ LUSTRE_FILE_SYSTEM_ID: fsRef, SINGLE_FUNCTION_MAX_BYTES: Match.anyValue() }) } });
    const finalizer = Object.values(t.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.LUSTRE_FILE_SYSTEM_ID);
    expect(finalizer).toHaveLength(2); // the converter and the finalizer, nobody else
    expect(nagFindings(stack)).toEqual([]);
  });

  test('EFS: the converter mounts the writer access point at /mnt/datasets and reaches NFS', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { region: 'cn-north-1' } });
    const network = new TrainingNetwork(stack, 'Network');
    const efsFs = new EfsDatasetFileSystem(stack, 'Efs', { network });
    const ingestion = new DatasetIngestion(stack, 'Ingestion', { network, fileSystem: efsFs });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      FileSystemConfigs: [{ Arn: Match.anyValue(), LocalMountPath: '/mnt/datasets' }],
      Environment: { Variables: Match.objectLike({ EFS_MOUNT_PATH: '/mnt/datasets', EFS_ROOT_DIRECTORY: '/datasets' }) },
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049,
      SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(ingestion.converter.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'] })]) },
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('warns when isolated subnets have no EventBridge endpoint', () => {
    const { stack } = build({}, 'us-east-1', { interfaceEndpoints: [TrainingEndpoint.SQS] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no EVENTBRIDGE interface endpoint, so the converter cannot put DatasetConverted events'));
    expect(warnings).toHaveLength(1);
    const { stack: withEndpoint } = build();
    expect(Annotations.fromStack(withEndpoint).findWarning('*', Match.stringLikeRegexp('no EVENTBRIDGE interface endpoint, so the converter cannot put DatasetConverted events'))).toHaveLength(0);
  });
});

describe('DatasetIngestion validation: the message names the prop, the value, the rule and the fix', () => {
  test.each<[string, Partial<DatasetIngestionProps>, RegExp]>([
    ['memory too small', { memorySize: 64 }, /memorySize is 64; it must be a whole number from 128 to 10240\. Lambda accepts/],
    ['fractional memory', { memorySize: 1024.5 }, /memorySize is 1024\.5; it must be a whole number/],
    ['timeout above 15 minutes', { timeout: Duration.minutes(16) }, /timeout is 16 minutes; it must be whole seconds from 1 second to 15 minutes.*Use e\.g\. Duration\.minutes\(15\)/],
    ['sub-second timeout', { timeout: Duration.millis(500) }, /timeout is 500 millis; it must be whole seconds/],
    ['visibility below 6 × timeout', { timeout: Duration.minutes(10), visibilityTimeout: Duration.minutes(30) },
      /visibilityTimeout is 1800 seconds; it must be at least 6 × timeout \(6 × 600 s = 3600 s\).*Raise visibilityTimeout to at least Duration\.seconds\(3600\)/],
    ['visibility above 12 hours', { timeout: Duration.minutes(1), visibilityTimeout: Duration.hours(13) }, /visibilityTimeout is 46800 seconds; SQS allows at most 43200 seconds/],
    ['maxReceiveCount 0', { maxReceiveCount: 0 }, /maxReceiveCount is 0; it must be a whole number from 1 to 1000\. SQS redrive/],
    ['maxConcurrency 1', { maxConcurrency: 1 }, /maxConcurrency is 1; it must be a whole number from 2 to 1000\. The SQS event source/],
    ['batchSize 11', { batchSize: 11 }, /batchSize is 11; it must be a whole number from 1 to 10/],
    ['an aws. event source', { eventSource: 'aws.s3' }, /eventSource is "aws\.s3"; it must be 1–256 printable characters.*must not start with "aws\."/],
    ['an event source with spaces', { eventSource: 'my source' }, /eventSource is "my source"/],
    ['zero single-function limit', { singleFunctionMaxZipSize: Size.bytes(0) }, /singleFunctionMaxZipSize is 0 bytes; it must be at least 1 bytes\. Use e\.g\. Size\.gibibytes\(10\)/],
    ['zero upload limit', { maxUploadSize: Size.bytes(0) }, /maxUploadSize is 0 bytes; it must be from 1 bytes to 53687091200000 bytes \(48\.83 TiB\)\. S3 holds 10,000 parts of at most 5 GiB in one upload; use e\.g\. Size\.gibibytes\(200\)/],
    ['upload limit above what S3 holds', { maxUploadSize: Size.tebibytes(50) }, /maxUploadSize is 50 TiB; it must be from 1 bytes to 53687091200000 bytes/],
    ['tiny throughput', { estimatedThroughputPerSecond: Size.kibibytes(10) }, /estimatedThroughputPerSecond is 10 KiB; it must be at least 1048576 bytes \(1 MiB\)/],
    ['tiny shards', { conversion: { targetShardSize: Size.kibibytes(1) } }, /conversion\.targetShardSize is 1024 bytes; it must be at least 1048576 bytes/],
    ['rejected fraction above 1', { conversion: { maxRejectedFraction: 1.5 } }, /conversion\.maxRejectedFraction is 1\.5; it must be a number from 0 to 1/],
    ['negative seed', { conversion: { seed: -1 } }, /conversion\.seed is -1; it must be a whole number from 0 to 4294967295/],
    ['zero pixels', { conversion: { maxImagePixels: 0 } }, /conversion\.maxImagePixels is 0/],
    ['validation fraction 0', { conversion: { validationFraction: 0 } }, /conversion\.validationFraction is 0; it must be a number greater than 0 and at most 0\.5\. Use e\.g\. 0\.1 to hold out 10 % of each class/],
    ['validation fraction above one half', { conversion: { validationFraction: 0.6 } }, /conversion\.validationFraction is 0\.6; it must be a number greater than 0 and at most 0\.5/],
    ['validation fraction NaN', { conversion: { validationFraction: Number.NaN } }, /conversion\.validationFraction is NaN/],
    ['validation fraction token', { conversion: { validationFraction: Token.asNumber({ Ref: 'Fraction' }) } }, /conversion\.validationFraction is a token; it must be known at synth/],
    ['expiration with an existing bucket', { uploadExpiration: Duration.days(3), uploadBucket: undefined as unknown as s3.IBucket }, /^$/],
    ['fractional expiration days', { uploadExpiration: Duration.hours(36) }, /uploadExpiration is 1\.5 days; it must be 1 to 2147483647 whole days\. S3 lifecycle expiration counts whole days/],
    ['an unknown route', { notificationRoute: 'SNS' as UploadNotificationRoute }, /notificationRoute is "SNS"; it must be an UploadNotificationRoute/],
  ])('%s', (name, props, message) => {
    if (name === 'expiration with an existing bucket') {
      const app = new App();
      const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
      const uploadBucket = s3.Bucket.fromBucketName(stack, 'Uploads', 'team-uploads');
      expect(() => new DatasetIngestion(stack, 'Ingestion', { network: new TrainingNetwork(stack, 'Network'), uploadBucket, uploadExpiration: Duration.days(3) }))
        .toThrow(/uploadExpiration is 3 days; it applies to the upload bucket this construct creates, but uploadBucket was given\. Add a lifecycle rule/);
      return;
    }
    expect(() => build(props)).toThrow(message);
    expect(() => build(props)).toThrow(/^DatasetIngestion Test\/Ingestion: /);
  });
});

describeWithTool(CFN_LINT, 'cfn-lint: DatasetIngestion variants', () => {
  test.each(['us-east-1', 'cn-north-1'])('the direct S3 route with existing buckets lints clean in %s', async (region) => {
    const { template } = build({ notificationRoute: UploadNotificationRoute.S3_NOTIFICATION, memorySize: 3008, batchSize: 5 }, region);
    expect(await lintTemplate(template().toJSON(), region)).toEqual([]);
  });
});
