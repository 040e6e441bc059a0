import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BucketEventBridgeNotifications, DataRepositoryEvent, LustreDatasetFileSystem, SecureBucket, TrainingNetwork } from '../../lib';
import { describeWithTool, ExternalTool } from '../support/external-tool';

/**
 * FSx for Lustre writes an S3 event notification named `FSx` on a bucket linked with automatic
 * import. These tests pin what the app's notification resource would write, and that anything
 * that would delete or overlap FSx's rule fails synthesis.
 */

function platform(options: { context?: Record<string, unknown> } = {}) {
  const app = new App({ context: options.context });
  const stack = new Stack(app, 'Platform', { env: { region: 'us-east-1' } });
  const network = new TrainingNetwork(stack, 'Network', { interfaceEndpoints: [] });
  const fs = new LustreDatasetFileSystem(stack, 'Datasets', { network });
  return { app, stack, fs };
}

function notificationResources(template: Template) {
  return Object.entries(template.findResources('Custom::S3BucketNotifications'));
}

describe('the safe way: SecureBucket + enableEventBridgeNotifications()', () => {
  const { stack, fs } = platform();
  const storage = new SecureBucket(stack, 'DatasetBucket');
  const association = fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket: storage.bucket, bucketPrefix: 'datasets/' });
  const eventBridge = storage.enableEventBridgeNotifications();
  const template = Template.fromStack(stack);
  const bucketId = stack.getLogicalId(storage.bucket.node.defaultChild as s3.CfnBucket);

  test('writes only the bucket name to the library resource, ordered after the association; aws-cdk-lib writes nothing', () => {
    template.hasResource('Custom::BucketEventBridgeNotifications', {
      Properties: Match.exact({
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BucketEventBridgeNotificationsHandlerFunction'), 'Arn'] },
        BucketName: { Ref: bucketId },
      }),
      DependsOn: Match.arrayWith([stack.getLogicalId(association.resource)]),
    });
    expect(notificationResources(template)).toEqual([]);
    expect(storage.enableEventBridgeNotifications()).toBe(eventBridge);
  });

  test("the handler may read and write this bucket's notification configuration, nothing else", () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: ['s3:GetBucketNotification', 's3:PutBucketNotification'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } }] },
    });
  });

  test('the bucket itself carries no NotificationConfiguration', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: Match.absent(), LoggingConfiguration: Match.anyValue() });
  });
});

describe('other safe set-ups', () => {
  test('SecureBucket({ eventBridgeEnabled: true }) created before the association is ordered after it too', () => {
    const { stack, fs } = platform();
    const storage = new SecureBucket(stack, 'DatasetBucket', { eventBridgeEnabled: true });
    const association = fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket: storage.bucket });
    Template.fromStack(stack).hasResource('Custom::BucketEventBridgeNotifications', { DependsOn: Match.arrayWith([stack.getLogicalId(association.resource)]) });
  });

  test('an imported bucket with BucketEventBridgeNotifications', () => {
    const { stack, fs } = platform();
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'existing-datasets');
    const association = fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket });
    new BucketEventBridgeNotifications(stack, 'EventBridge', { bucket });
    Template.fromStack(stack).hasResource('Custom::BucketEventBridgeNotifications', {
      Properties: { BucketName: 'existing-datasets' },
      DependsOn: Match.arrayWith([stack.getLogicalId(association.resource)]),
    });
  });

  test('without automatic import FSx writes no notification, so nothing is checked', () => {
    const { stack, fs } = platform();
    const bucket = new s3.Bucket(stack, 'Plain', { eventBridgeEnabled: true });
    fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket, autoImportEvents: [], autoExportEvents: [DataRepositoryEvent.NEW] });
    expect(notificationResources(Template.fromStack(stack))[0][1].Properties.Managed).toBe(true);
  });
});

describe('everything that would delete, rename or overlap the FSx notification fails synthesis', () => {
  const queue = (stack: Stack, id: string) => new s3n.SqsDestination(new sqs.Queue(stack, id, { enforceSSL: true }));
  test.each<[string, (stack: Stack) => s3.IBucket, RegExp]>([
    ['a plain Bucket with eventBridgeEnabled (Managed: true)', (stack) => new s3.Bucket(stack, 'Plain', { eventBridgeEnabled: true }),
      /Platform\/Plain\/Notifications\/Resource writes the notification configuration of bucket Platform\/Plain .* with Managed: true: aws-cdk-lib's handler then replaces the bucket's whole configuration .*Enable EventBridge with SecureBucket.enableEventBridgeNotifications\(\)/],
    ['a plain Bucket with enableEventBridgeNotification() (Managed: true)', (stack) => {
      const bucket = new s3.Bucket(stack, 'Plain');
      bucket.enableEventBridgeNotification();
      return bucket;
    }, /with Managed: true/],
    ["aws-cdk-lib's EventBridge on a SecureBucket (merge mode renames FSx's rule on update)", (stack) => {
      const storage = new SecureBucket(stack, 'DatasetBucket');
      storage.bucket.enableEventBridgeNotification();
      return storage.bucket;
    }, /Platform\/DatasetBucket\/Bucket\/Notifications\/Resource writes the notification configuration .* in merge mode \(Managed: false\): on every update aws-cdk-lib's handler blanks the Id of notifications it did not write/],
    ["aws-cdk-lib's EventBridge on an imported bucket (merge mode)", (stack) => {
      const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'existing-datasets');
      bucket.enableEventBridgeNotification();
      return bucket;
    }, /in merge mode \(Managed: false\)/],
    ['an ObjectCreated queue notification on a SecureBucket (overlap)', (stack) => {
      const storage = new SecureBucket(stack, 'DatasetBucket');
      storage.bucket.addObjectCreatedNotification(queue(stack, 'Uploads'), { prefix: 'uploads/' });
      return storage.bucket;
    }, /adds a Queue notification for s3:ObjectCreated:\* on bucket .*it overlaps FSx's `FSx` notification .*"Configurations overlap"/],
    ['an ObjectRemoved:Delete notification on an imported bucket (overlap)', (stack) => {
      const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'existing-datasets');
      bucket.addEventNotification(s3.EventType.OBJECT_REMOVED_DELETE, queue(stack, 'Deletes'));
      return bucket;
    }, /adds a Queue notification for s3:ObjectRemoved:Delete/],
    ['NotificationConfiguration written by CloudFormation on the bucket', (stack) => {
      const bucket = new s3.Bucket(stack, 'Raw');
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
      return bucket;
    }, /Platform\/Raw\/Resource sets NotificationConfiguration on bucket Platform\/Raw .*CloudFormation writes the bucket's whole notification configuration/],
    ['NotificationConfiguration added as a raw override', (stack) => {
      const bucket = new s3.Bucket(stack, 'Override');
      (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
      return bucket;
    }, /sets NotificationConfiguration/],
  ])('%s', (_name, makeBucket, message) => {
    const { stack, fs } = platform();
    const bucket = makeBucket(stack);
    fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket });
    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  test("an app-wide '@aws-cdk/aws-s3:keepNotificationInImportedBucket': true is not enough (merge mode)", () => {
    const { stack, fs } = platform({ context: { '@aws-cdk/aws-s3:keepNotificationInImportedBucket': true } });
    const bucket = new s3.Bucket(stack, 'Plain', { eventBridgeEnabled: true });
    fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket });
    expect(() => Template.fromStack(stack)).toThrow(/in merge mode \(Managed: false\)/);
  });

  test('a notification added after the association is caught too (checked at synthesis)', () => {
    const { stack, fs } = platform();
    const bucket = new s3.Bucket(stack, 'Late');
    fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket });
    bucket.enableEventBridgeNotification();
    expect(() => Template.fromStack(stack)).toThrow(/Platform\/Late\/Notifications\/Resource .* with Managed: true/);
  });
});

const PYTHON: ExternalTool = { command: 'python3', installHint: 'install Python 3' };

/**
 * Runs aws-cdk-lib's own notification handler (the Python file the custom resource deploys) against
 * a bucket that already has FSx's rule, with a stub S3 client: what it would PUT, per mode.
 */
describeWithTool(PYTHON, "aws-cdk-lib's notification handler, run against a bucket that has FSx's rule", () => {
  const handlerDir = join(dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resource-handlers/dist/aws-s3/notifications-resource-handler');
  const script = `
import json, sys, types
sys.modules['boto3'] = types.SimpleNamespace(client=lambda name: None)
sys.path.insert(0, ${JSON.stringify(handlerDir)})
import index
fsx_rule = {'Id': 'FSx', 'TopicArn': 'arn:aws:sns:us-east-1:111122223333:fsx-topic', 'Events': ['s3:ObjectCreated:*', 's3:ObjectRemoved:*']}
class S3:
    def get_bucket_notification_configuration(self, Bucket):
        return {'TopicConfigurations': [dict(fsx_rule)]}
index.s3 = S3()
incoming = {'EventBridgeConfiguration': {}}
stack = 'arn:aws:cloudformation:us-east-1:111122223333:stack/Platform/1'
print(json.dumps({
  'managedUpdate': index.handle_managed('Update', incoming),
  'managedDelete': index.handle_managed('Delete', incoming),
  'unmanagedCreate': index.handle_unmanaged('bucket', stack, 'Create', incoming, {}),
  'unmanagedUpdate': index.handle_unmanaged('bucket', stack, 'Update', incoming, incoming),
  'unmanagedDelete': index.handle_unmanaged('bucket', stack, 'Delete', incoming, {}),
}))
`;
  const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  const results = run.status === 0 ? JSON.parse(run.stdout) : undefined;
  const fsxRule = { Id: 'FSx', TopicArn: 'arn:aws:sns:us-east-1:111122223333:fsx-topic', Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] };

  test('the handler ran', () => {
    expect(run.stderr).toBe('');
    expect(results).toBeDefined();
  });

  test('Managed: true PUTs only the app configuration (FSx rule gone) and {} on delete', () => {
    expect(results.managedUpdate).toEqual({ EventBridgeConfiguration: {} });
    expect(results.managedDelete).toEqual({});
  });

  test('Managed: false keeps the FSx rule on create and delete', () => {
    expect(results.unmanagedCreate).toEqual({ TopicConfigurations: [fsxRule], QueueConfigurations: [], LambdaFunctionConfigurations: [], EventBridgeConfiguration: {} });
    expect(results.unmanagedDelete.TopicConfigurations).toEqual([fsxRule]);
  });

  test("Managed: false on update writes FSx's rule back with an empty Id: the rule loses its name FSx", () => {
    expect(results.unmanagedUpdate).toEqual({ TopicConfigurations: [{ ...fsxRule, Id: '' }], QueueConfigurations: [], LambdaFunctionConfigurations: [], EventBridgeConfiguration: {} });
  });
});
