import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PLATFORM_METRIC_NAMESPACE } from '../../contract/platform-metrics';
import { DatasetPlatformStack, LustreDatasetFileSystem, PlatformMonitoring } from '../../lib';
import { nagFindings } from '../support/nag';

type Resource = { Type: string; Properties?: Record<string, unknown> };
const ENV = { account: '111111111111', region: 'us-east-1' };

function platform() {
  const app = new App();
  const stack = new DatasetPlatformStack(app, 'Platform', { env: ENV });
  return { app, stack };
}

/** A platform stack with an alarm topic from another stack of the app (the on-call team's), and a consumer rule added after the stack was built. */
function platformWithTopic() {
  const app = new App();
  const paging = new Stack(app, 'Paging', { env: ENV });
  const topic = new sns.Topic(paging, 'OnCall', { enforceSSL: true });
  const stack = new DatasetPlatformStack(app, 'Platform', { env: ENV, alarmTopic: topic });
  // Added after the stack (and its monitoring) was constructed: its dead-letter queue is still found.
  stack.ingestion.onDatasetConverted('Notify', { target: new targets.SqsQueue(new sqs.Queue(stack, 'Consumer', { enforceSSL: true })) });
  return { app, stack };
}

/** Logical ids of the queues that something sends its failures to, read from the template (not from the library's code). */
function deadLetterQueueIds(resources: Record<string, Resource>): string[] {
  const ids = new Set<string>();
  const arnOf = (value: unknown) => (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  for (const resource of Object.values(resources)) {
    const p = resource.Properties ?? {};
    const candidates = [
      (p.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn,
      (p.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn,
      ...((p.Targets as Array<{ DeadLetterConfig?: { Arn?: unknown } }> | undefined) ?? []).map((target) => target.DeadLetterConfig?.Arn),
      (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination,
    ];
    for (const candidate of candidates) {
      const id = arnOf(candidate);
      if (id && resources[id]?.Type === 'AWS::SQS::Queue') ids.add(id);
    }
  }
  return [...ids].sort();
}

function alarmsOn(resources: Record<string, Resource>, queueId: string): Resource[] {
  return Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible' &&
    JSON.stringify(r.Properties?.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]));
}

describe('PlatformMonitoring in the platform stack', () => {
  const { stack } = platformWithTopic();
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;

  test('every dead-letter queue has exactly one alarm: more than 0 visible messages, notifying the topic', () => {
    const queues = deadLetterQueueIds(resources);
    // ingestion (queue redrive + upload rule), the state publisher's asynchronous invocations, the on*() rule's target
    expect(queues.length).toBeGreaterThanOrEqual(3);
    for (const queue of queues) {
      const alarms = alarmsOn(resources, queue);
      expect({ queue, count: alarms.length }).toEqual({ queue, count: 1 });
      const [alarm] = alarms;
      expect(alarm.Properties).toMatchObject({ Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      const { Threshold, ComparisonOperator } = alarm.Properties as { Threshold: number; ComparisonOperator: string };
      expect([Threshold, ComparisonOperator]).toEqual(ComparisonOperator === 'GreaterThanThreshold' ? [0, 'GreaterThanThreshold'] : [1, 'GreaterThanOrEqualToThreshold']);
      expect((alarm.Properties!.AlarmActions as unknown[]).length).toBe(1);
    }
  });

  test('every alarm of the stack notifies the topic (alarm and OK)', () => {
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(9); // 3 dead-letter queues + 6
    const topicArn = JSON.stringify(stack.resolve(stack.monitoring.alarmTopic!.topicArn));
    for (const alarm of alarms) {
      expect(JSON.stringify(alarm.Properties!.AlarmActions)).toBe(`[${topicArn}]`);
      expect(JSON.stringify(alarm.Properties!.OKActions)).toBe(`[${topicArn}]`);
    }
    expect(topicArn).toContain('Fn::ImportValue'); // the topic of the Paging stack
  });

  test.each([
    ['state-machine failures', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]), Threshold: 1 }],
    ['launcher errors', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^TrainingJobLauncherFunction') } }], Threshold: 1 }],
    ['converter errors', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^IngestionConverterFunction') } }] }],
    ['converter throttles', { MetricName: 'Throttles', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^IngestionConverterFunction') } }] }],
    ['an upload queued longer than one conversion may run (6 hours)', {
      MetricName: 'ApproximateAgeOfOldestMessage', Namespace: 'AWS/SQS', Statistic: 'Maximum', Period: 300,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionDistributedBacklog[0-9A-F]{8}$'), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold', Threshold: 6 * 3600,
      AlarmDescription: Match.stringLikeRegexp('waited more than 6 hours .*raise maxConcurrentConversions.*dispatcher'),
    }],
    ['FSx free storage under 10 %', {
      ComparisonOperator: 'LessThanThreshold', Threshold: 10, EvaluationPeriods: 5,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: `100 * free / ${1200 * 1024 ** 3}` }),
        Match.objectLike({ Id: 'free', MetricStat: Match.objectLike({ Metric: { Namespace: 'AWS/FSx', MetricName: 'FreeDataStorageCapacity', Dimensions: [{ Name: 'FileSystemId', Value: { Ref: Match.stringLikeRegexp('^DatasetFileSystem') } }] }, Period: 60, Stat: 'Sum' }) }),
      ]),
    }],
  ])('an alarm on %s', (_, properties) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', properties);
  });

  test('one dashboard: uploads, conversions and MB/s, failures, training jobs by state, FSx throughput and capacity, alarm status', () => {
    const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(stack.resolve(dashboards[0].Properties!.DashboardBody));
    for (const text of ['NumberOfMessagesSent', 'DatasetsConverted', 'DatasetConversionsFailed', 'Conversion MB/s', 'TrainingJobStateChanges',
      'InProgress', 'Completed', 'Failed', 'Stopped', 'LauncherResponses', 'ApproximateNumberOfMessagesVisible', 'Queued', 'DataReadBytes', 'DataWriteBytes', 'FreeDataStorageCapacity', 'alarm', PLATFORM_METRIC_NAMESPACE]) {
      expect({ text, found: body.includes(text) }).toEqual({ text, found: true });
    }
  });

  test('no unreachable dead-letter queue: every function with one is invoked asynchronously (an EventBridge target or a custom resource\'s provider), never by SQS, Step Functions or API Gateway', () => {
    const withDlq = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.DeadLetterConfig).map(([id]) => id);
    expect(withDlq.length).toBeGreaterThanOrEqual(1); // the training-job state publisher
    const text = (type: string) => JSON.stringify(Object.values(resources).filter((r) => r.Type === type));
    for (const fn of withDlq) {
      const customResources = JSON.stringify(Object.values(resources).filter((r) => r.Type.startsWith('Custom::')).map((r) => r.Properties?.ServiceToken));
      const asynchronous = text('AWS::Events::Rule').includes(`{"Fn::GetAtt":["${fn}","Arn"]}`) || customResources.includes(`{"Fn::GetAtt":["${fn}","Arn"]}`);
      expect({ fn, asynchronous }).toEqual({ fn, asynchronous: true });
      expect({ fn, sqs: text('AWS::Lambda::EventSourceMapping').includes(`"${fn}"`) }).toEqual({ fn, sqs: false });
      expect({ fn, stateMachine: text('AWS::StepFunctions::StateMachine').includes(`"${fn}"`) }).toEqual({ fn, stateMachine: false });
      expect({ fn, api: text('AWS::ApiGateway::Method').includes(`"${fn}"`) }).toEqual({ fn, api: false });
    }
  });

  test('cdk-nag: the five packs stay clean with a topic', () => {
    // The test's own consumer queue is no part of the platform.
    expect(nagFindings(stack).filter((finding) => !finding.includes('Platform/Consumer/'))).toEqual([]);
  });
});

describe('PlatformMonitoring without a topic', () => {
  test('alarms have no actions, and the packs stay clean (each alarm says why it has none)', () => {
    const { stack } = platform();
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    for (const alarm of alarms) expect(alarm.Properties?.AlarmActions).toBeUndefined();
    for (const queue of deadLetterQueueIds(resources)) expect(alarmsOn(resources, queue)).toHaveLength(1);
    expect(nagFindings(stack)).toEqual([]);
  });

  test.each([0, 100, Number.NaN])('freeStorageAlarmPercent %p is refused with the rule', (percent) => {
    expect(() => new PlatformMonitoring(new Stack(), 'M', { freeStorageAlarmPercent: percent })).toThrow(/freeStorageAlarmPercent is .*; it must be a number from 1 to 99. It is the percentage of free FSx storage/);
  });
});

describe('metric*() methods', () => {
  const { stack } = platform();
  const resolve = (metric: cloudwatch.IMetric) => stack.resolve(metric.toMetricConfig());

  test.each([
    ['DatasetIngestion.metricDatasetsConverted', () => stack.ingestion.metricDatasetsConverted(), 'DatasetsConverted', 'Sum'],
    ['DatasetIngestion.metricConversionFailures', () => stack.ingestion.metricConversionFailures(), 'DatasetConversionsFailed', 'Sum'],
    ['DatasetIngestion.metricConversionDuration', () => stack.ingestion.metricConversionDuration(), 'ConversionDuration', 'Average'],
  ])('%s: the platform namespace, the bus dimension', (_, metric, metricName, statistic) => {
    const config = resolve(metric());
    expect(config.metricStat).toMatchObject({ namespace: PLATFORM_METRIC_NAMESPACE, metricName, statistic, dimensions: [{ name: 'EventBus', value: stack.resolve(stack.eventBus.eventBusName) }] });
  });

  test('TrainingJobLauncher.metricRejections and metricTrainingJobStateChanges', () => {
    expect(resolve(stack.launcher.metricRejections()).metricStat).toMatchObject({
      namespace: PLATFORM_METRIC_NAMESPACE, metricName: 'LauncherResponses', statistic: 'Sum',
      dimensions: [{ name: 'FunctionName', value: stack.resolve(stack.launcher.launcher.functionName) }, { name: 'Outcome', value: 'rejected' }],
    });
    expect(resolve(stack.launcher.metricTrainingJobStateChanges('Failed')).metricStat).toMatchObject({
      metricName: 'TrainingJobStateChanges', dimensions: [{ name: 'EventBus', value: stack.resolve(stack.eventBus.eventBusName) }, { name: 'Status', value: 'Failed' }],
    });
    expect(resolve(stack.launcher.metricErrors()).metricStat).toMatchObject({ namespace: 'AWS/Lambda', metricName: 'Errors' });
  });

  test('upload queue age and uploads come from the ingestion queue', () => {
    const queueName = stack.resolve(stack.ingestion.queue.queueName);
    expect(resolve(stack.ingestion.metricUploadQueueAge()).metricStat).toMatchObject({ namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', statistic: 'Maximum', dimensions: [{ name: 'QueueName', value: queueName }] });
    expect(resolve(stack.ingestion.metricUploads()).metricStat).toMatchObject({ namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensions: [{ name: 'QueueName', value: queueName }] });
  });

  test('conversion throughput is MB/s from bytes and duration', () => {
    const config = resolve(stack.ingestion.metricConversionThroughput()).mathExpression;
    expect(config.expression).toBe('IF(duration > 0, bytes / (duration / 1000) / 1000000, 0)');
    expect(Object.keys(config.usingMetrics).sort()).toEqual(['bytes', 'duration']);
  });

  test('distributed executions failed: failed + timed out + aborted of the state machine', () => {
    const config = resolve(stack.ingestion.distributedConversion!.metricExecutionsFailed()).mathExpression;
    expect(config.expression).toBe('failed + timedOut + aborted');
    expect(Object.values(config.usingMetrics as Record<string, cloudwatch.Metric>).map((m) => m.metricName).sort()).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
  });

  test('Lustre free capacity: bytes (Sum per minute) and percent of the storage capacity', () => {
    const lustre = stack.fileSystem as LustreDatasetFileSystem;
    expect(resolve(lustre.metricFreeDataStorageCapacity()).metricStat).toMatchObject({
      namespace: 'AWS/FSx', metricName: 'FreeDataStorageCapacity', statistic: 'Sum', period: Duration.minutes(1),
      dimensions: [{ name: 'FileSystemId', value: stack.resolve(lustre.fileSystemId) }],
    });
    expect(resolve(lustre.metricFreeDataStoragePercent()).mathExpression.expression).toBe(`100 * free / ${1200 * 1024 ** 3}`);
  });
});
