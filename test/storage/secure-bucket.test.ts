import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { BucketEventBridgeNotifications, SecureBucket, SecureBucketEncryption, SecureBucketProps } from '../../lib';

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
    ['an abort rule under a day', { abortIncompleteMultipartUploadAfter: Duration.hours(12) }, /abortIncompleteMultipartUploadAfter is 0.5 days; it must be 1 to 2147483647 whole days\. S3 lifecycle rules count whole days/],
    ['noncurrent expiry without versioning', { versioned: false, noncurrentVersionExpiration: Duration.days(30) }, /noncurrentVersionExpiration needs versioning/],
    ['a fractional noncurrent expiry', { noncurrentVersionExpiration: Duration.hours(36) }, /noncurrentVersionExpiration is 1.5 days; it must be 1 to 2147483647 whole days/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => secureBucket(props)).toThrow(message);
  });
});

describe('BucketEventBridgeNotifications', () => {
  const { stack, storage } = secureBucket();
  const first = storage.enableEventBridgeNotifications();
  const other = new SecureBucket(stack, 'Other', { accessLogsBucket: storage.accessLogsBucket, eventBridgeEnabled: true });
  const template = Template.fromStack(stack);

  test('one bundled Node.js handler per stack (arm64, newest runtime), outside the VPC, with its own log group, role and dead-letter queue', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 256, Timeout: 120,
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^BucketEventBridgeNotificationsHandlerLogGroup') } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BucketEventBridgeNotificationsHandlerDeadLetterQueue'), 'Arn'] } },
      VpcConfig: Match.absent(),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
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

  test('cdk-nag clean with the handler', () => {
    expect(findings(stack)).toEqual([]);
  });

  test('the nag gate is live: a plain function and bucket are reported', () => {
    const bare = new Stack(new App(), 'Bare', { env: { region: 'us-east-1' } });
    new s3.Bucket(bare, 'Plain');
    new lambda.Function(bare, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromInline('def handler(e, c): pass') });
    expect(findings(bare)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-S1 /), expect.stringMatching(/^AwsSolutions-L1 /), expect.stringMatching(/^AwsSolutions-IAM4/)]));
  });

  test('a key encrypts the handler\'s log group and dead-letter queue', () => {
    const keyed = new Stack(new App(), 'Keyed', { env: { region: 'cn-north-1' } });
    const key = new kms.Key(keyed, 'Key', { enableKeyRotation: true });
    new BucketEventBridgeNotifications(keyed, 'EventBridge', { bucket: s3.Bucket.fromBucketName(keyed, 'B', 'some-bucket'), logEncryptionKey: key });
    const t = Template.fromStack(keyed);
    const keyArn = { 'Fn::GetAtt': [keyed.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn });
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
    expect(findings(keyed)).toEqual([]);
  });
});
