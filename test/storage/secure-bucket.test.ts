import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { BucketEventBridgeNotifications, SecureBucket, SecureBucketEncryption, SecureBucketProps } from '../../lib';
import { EVENTBRIDGE_HANDLER_SOURCE } from '../../lib/storage/bucket-event-bridge';
import { describeWithTool, ExternalTool } from '../support/external-tool';

function findings(scope: IConstruct): string[] {
  const packs = [new AwsSolutionsChecks(scope), new NIST80053R5Checks(scope), new HIPAASecurityChecks(scope), new PCIDSS321Checks(scope), new ServerlessChecks(scope)];
  return packs.flatMap((pack) => pack.validateScope(scope).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.resourceLogicalId}`)));
}

function secureBucket(props: SecureBucketProps = {}) {
  const stack = new Stack(new App(), 'Storage', { env: { region: 'us-east-1' } });
  const storage = new SecureBucket(stack, 'Datasets', props);
  return { stack, storage };
}

describe('SecureBucket defaults', () => {
  const { stack, storage } = secureBucket();
  const template = Template.fromStack(stack);
  const bucketId = stack.getLogicalId(storage.bucket.node.defaultChild as s3.CfnBucket);
  const logsId = stack.getLogicalId(storage.createdAccessLogsBucket!.node.defaultChild as s3.CfnBucket);

  test('blocks public access, SSE-S3, versioned, ACLs off, access logs to the log bucket, lifecycle, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'Datasets/' },
        LifecycleConfiguration: { Rules: [{ Id: 'AbortIncompleteUploadsAndExpireNoncurrentVersions', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, NoncurrentVersionExpiration: { NoncurrentDays: 90 } }] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('TLS only on both buckets', () => {
    for (const id of [bucketId, logsId]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  test('the log bucket takes log delivery through a bucket policy (not an ACL), whatever the app flags say', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    template.hasResourceProperties('AWS::S3::Bucket', { AccessControl: Match.absent(), LoggingConfiguration: Match.absent(), VersioningConfiguration: { Status: 'Enabled' } });
  });

  test('cdk-nag clean in all five packs, with the log bucket acknowledged for S1 only on itself', () => {
    expect(findings(stack)).toEqual([]);
    const logsMetadata = JSON.stringify(storage.createdAccessLogsBucket!.node.metadata);
    expect(logsMetadata).toContain('AwsSolutions-S1');
    expect(JSON.stringify(storage.bucket.node.metadata)).not.toContain('AwsSolutions-S1');
  });
});

describe('SecureBucket options', () => {
  test('KMS with a new rotating key and a bucket key; no encryption acknowledgment then', () => {
    const { stack, storage } = secureBucket({ encryption: SecureBucketEncryption.KMS });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [stack.getLogicalId(storage.encryptionKey!.node.defaultChild as kms.CfnKey), 'Arn'] } } }] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(JSON.stringify(storage.bucket.node.metadata)).not.toContain('S3DefaultEncryptionKMS');
    expect(findings(stack)).toEqual([]);
  });

  test('a shared log bucket, custom lifecycle and DESTROY', () => {
    const stack = new Stack(new App(), 'Shared', { env: { region: 'us-east-1' } });
    const first = new SecureBucket(stack, 'First');
    new SecureBucket(stack, 'Second', {
      accessLogsBucket: first.accessLogsBucket, accessLogsPrefix: 'second/', abortIncompleteMultipartUploadAfter: Duration.days(2),
      noncurrentVersionExpiration: Duration.days(30), removalPolicy: RemovalPolicy.DESTROY,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        LoggingConfiguration: { DestinationBucketName: { Ref: stack.getLogicalId(first.createdAccessLogsBucket!.node.defaultChild as s3.CfnBucket) }, LogFilePrefix: 'second/' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 }, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      },
      DeletionPolicy: 'Delete',
    });
    expect(findings(stack)).toEqual([]);
  });

  test('unversioned: no noncurrent-version rule, versioning acknowledged as an explicit choice', () => {
    const { stack, storage } = secureBucket({ versioned: false });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: Match.absent(),
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: Match.absent() })] },
    });
    expect(JSON.stringify(storage.bucket.node.metadata)).toContain('versioned: false');
    expect(findings(stack)).toEqual([]);
  });

  test.each<[string, SecureBucketProps, RegExp]>([
    ['a key without KMS', { encryptionKey: {} as kms.IKey }, /encryptionKey needs encryption: SecureBucketEncryption.KMS/],
    ['an abort rule under a day', { abortIncompleteMultipartUploadAfter: Duration.hours(12) }, /abortIncompleteMultipartUploadAfter must be a whole number of days, at least 1/],
    ['noncurrent expiry without versioning', { versioned: false, noncurrentVersionExpiration: Duration.days(30) }, /noncurrentVersionExpiration needs versioning/],
    ['a fractional noncurrent expiry', { noncurrentVersionExpiration: Duration.hours(36) }, /noncurrentVersionExpiration must be a whole number of days/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => secureBucket(props)).toThrow(message);
  });
});

describe('BucketEventBridgeNotifications', () => {
  const { stack, storage } = secureBucket();
  const first = storage.enableEventBridgeNotifications();
  const other = new SecureBucket(stack, 'Other', { accessLogsBucket: storage.accessLogsBucket, eventBridgeEnabled: true });
  const template = Template.fromStack(stack);

  test('one handler per stack, on python3.14 (the newest runtime the Lambda docs and cfn-lint list), with its own log group and role', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'python3.14', Handler: 'index.handler', MemorySize: 256, Timeout: 120,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^BucketEventBridgeNotificationsHandlerLogGroup') } },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent(), AssumeRolePolicyDocument: Match.objectLike({}) });
    expect((other.node.findChild('EventBridgeNotifications') as BucketEventBridgeNotifications).handler).toBe(first.handler);
  });

  test('each bucket grants the handler Get/PutBucketNotification on itself only', () => {
    for (const bucket of [storage.bucket, other.bucket]) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [{ Action: ['s3:GetBucketNotification', 's3:PutBucketNotification'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket), 'Arn'] } }] },
      });
    }
    template.resourceCountIs('Custom::BucketEventBridgeNotifications', 2);
  });

  test('cdk-nag clean with the handler; AwsSolutions-L1 is acknowledged only while aws-cdk-lib lists a newer, undeployable Python', () => {
    expect(findings(stack)).toEqual([]);
    const newest = lambda.Runtime.ALL.filter((r) => r.family === lambda.RuntimeFamily.PYTHON).map((r) => r.name)
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();
    expect(newest).toBe('python3.15');
    expect(JSON.stringify(first.handler.node.metadata)).toMatch(/AwsSolutions-L1.*python3.15, which the Lambda runtime documentation and cfn-lint 1.51.0's schema do not list yet/);
  });

  test('the nag gate is live: a plain function and bucket are reported', () => {
    const bare = new Stack(new App(), 'Bare', { env: { region: 'us-east-1' } });
    new s3.Bucket(bare, 'Plain');
    new lambda.Function(bare, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromInline('def handler(e, c): pass') });
    expect(findings(bare)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-S1 /), expect.stringMatching(/^AwsSolutions-L1 /), expect.stringMatching(/^AwsSolutions-IAM4/)]));
  });

  test('a runtime can be pinned where the newest has not reached the region', () => {
    const pinned = new Stack(new App(), 'Pinned', { env: { region: 'cn-north-1' } });
    new BucketEventBridgeNotifications(pinned, 'EventBridge', { bucket: s3.Bucket.fromBucketName(pinned, 'B', 'some-bucket'), runtime: lambda.Runtime.PYTHON_3_12 });
    Template.fromStack(pinned).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'python3.12' });
  });
});

const PYTHON: ExternalTool = { command: 'python3', installHint: 'install Python 3' };

/** Runs the handler source the template deploys against a stub S3 client that holds FSx's rule. */
describeWithTool(PYTHON, 'the EventBridge handler keeps every other notification, ids included', () => {
  const script = `
import json, sys, types
class NoSuchBucket(Exception):
    pass
state = {}
class S3:
    exceptions = types.SimpleNamespace(NoSuchBucket=NoSuchBucket)
    def get_bucket_notification_configuration(self, Bucket):
        if Bucket == 'gone':
            raise NoSuchBucket()
        return json.loads(json.dumps(state['config']))
    def put_bucket_notification_configuration(self, Bucket, NotificationConfiguration, SkipDestinationValidation):
        state['put'] = {'Bucket': Bucket, 'Config': NotificationConfiguration, 'Skip': SkipDestinationValidation}
sys.modules['boto3'] = types.SimpleNamespace(client=lambda name: S3())
import urllib.request
responses = []
class Response:
    def __enter__(self): return self
    def __exit__(self, *a): return False
    def read(self): return b''
def urlopen(request):
    responses.append(json.loads(request.data))
    return Response()
urllib.request.urlopen = urlopen
module = types.ModuleType('handler')
exec(compile(open(sys.argv[1]).read(), 'index.py', 'exec'), module.__dict__)
fsx = {'Id': 'FSx', 'TopicArn': 'arn:aws-cn:sns:cn-north-1:111122223333:fsx', 'Events': ['s3:ObjectCreated:*', 's3:ObjectRemoved:*']}
queue = {'Id': 'tagging', 'QueueArn': 'arn:aws-cn:sqs:cn-north-1:111122223333:q', 'Events': ['s3:ObjectTagging:*'], 'Filter': {'Key': {'FilterRules': [{'Name': 'Prefix', 'Value': 'x/'}]}}}
ctx = types.SimpleNamespace(log_stream_name='stream')
def event(kind, bucket='datasets'):
    return {'RequestType': kind, 'ResourceProperties': {'BucketName': bucket}, 'StackId': 's', 'RequestId': 'r', 'LogicalResourceId': 'l', 'ResponseURL': 'https://example.invalid/'}
out = {}
state['config'] = {'ResponseMetadata': {'HTTPStatusCode': 200}, 'TopicConfigurations': [fsx], 'QueueConfigurations': [queue]}
module.handler(event('Create'), ctx); out['create'] = state['put']
state['config'] = dict(state['put']['Config'])
module.handler(event('Update'), ctx); out['update'] = state['put']
module.handler(event('Delete'), ctx); out['delete'] = state['put']
state.pop('put')
module.handler(event('Delete', 'gone'), ctx); out['deleteGone'] = state.get('put')
out['responses'] = responses
print(json.dumps(out))
`;
  const dir = mkdtempSync(join(tmpdir(), 'eventbridge-handler-'));
  writeFileSync(join(dir, 'index.py'), EVENTBRIDGE_HANDLER_SOURCE);
  const run = spawnSync('python3', ['-c', script, join(dir, 'index.py')], { encoding: 'utf8' });
  const out = run.status === 0 ? JSON.parse(run.stdout) : undefined;
  const fsx = { Id: 'FSx', TopicArn: 'arn:aws-cn:sns:cn-north-1:111122223333:fsx', Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] };
  const queue = { Id: 'tagging', QueueArn: 'arn:aws-cn:sqs:cn-north-1:111122223333:q', Events: ['s3:ObjectTagging:*'], Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'x/' }] } } };

  test('the handler ran', () => {
    expect(run.stderr).toBe('');
    expect(out).toBeDefined();
  });

  test('create and update add EventBridge and write FSx\'s rule and every other rule back unchanged, without revalidating destinations', () => {
    for (const step of [out.create, out.update]) {
      expect(step).toEqual({ Bucket: 'datasets', Config: { TopicConfigurations: [fsx], QueueConfigurations: [queue], EventBridgeConfiguration: {} }, Skip: true });
    }
  });

  test('delete removes EventBridge only, and a deleted bucket is fine', () => {
    expect(out.delete.Config).toEqual({ TopicConfigurations: [fsx], QueueConfigurations: [queue] });
    expect(out.deleteGone).toBeNull();
  });

  test('every request gets a SUCCESS response with the bucket as physical id', () => {
    expect(out.responses.map((r: { Status: string; PhysicalResourceId: string }) => [r.Status, r.PhysicalResourceId]))
      .toEqual([['SUCCESS', 'datasets'], ['SUCCESS', 'datasets'], ['SUCCESS', 'datasets'], ['SUCCESS', 'gone']]);
  });
});
