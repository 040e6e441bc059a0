import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { DatasetPlatformStack, PlatformEncryption } from '../../lib';
import { LAUNCHER_ENV } from '../../lambda/src/launcher';
import { nagFindings } from '../support/nag';
import { platformApp, templatesByRegion } from '../support/platform-app';

type Resource = { Type: string; Properties: Record<string, unknown> };

function resources(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.findResources(type)) as Array<[string, Resource]>;
}

/** The logical id of the stack's PlatformKey, for exact comparisons. */
function platformKeyId(template: Template): string {
  const keys = Object.keys(template.findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  expect(keys[0]).toMatch(/^PlatformKey/);
  return keys[0];
}

/** Rules about encryption at rest (not AwsSolutions-IAM5 on kms:ReEncrypt*, an IAM wildcard rule). */
const ENCRYPTION_RULES = /^Annotation::(?!AwsSolutions-IAM5).*(Encrypt|KMS)/;

/** Every acknowledged cdk-nag rule id under `scope` that is about encryption, with its construct path. */
function encryptionAcknowledgments(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === 'aws:cdk:validations:acknowledged' || /acknowledg/i.test(entry.type))
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
    .filter((id) => ENCRYPTION_RULES.test(id))
    .map((id) => `${id} at ${construct.node.path}`));
}

describe.each(['us-east-1', 'cn-north-1'])('the default platform in %s: one customer managed key for everything at rest', (region) => {
  const app = platformApp([region]);
  const template = templatesByRegion(app).get(region)!;
  const keyId = platformKeyId(template);
  const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };

  test('one key, rotation on, retained', () => {
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  test('the key policy: administration through IAM, use only through the platform services for this account, CloudWatch Logs for this account\'s log groups', () => {
    const policy = (template.findResources('AWS::KMS::Key')[keyId] as Resource).Properties.KeyPolicy as { Statement: Array<Record<string, unknown>> };
    const bySid = Object.fromEntries(policy.Statement.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(JSON.stringify(bySid.KeyAdministrationThroughIam.Action)).not.toMatch(/Decrypt|Encrypt|GenerateDataKey/);
    const use = bySid.UseThroughPlatformServicesOnly as { Condition: { StringEquals: Record<string, unknown> } };
    expect(use.Condition.StringEquals['kms:CallerAccount']).toEqual({ Ref: 'AWS::AccountId' });
    const via = JSON.stringify(use.Condition.StringEquals['kms:ViaService']);
    for (const service of ['s3', 'sqs', 'logs', 'fsx', 'elasticfilesystem', 'sagemaker', 'states']) expect(via).toContain(`"${service}."`);
    expect(bySid.CloudWatchLogsOfThisAccount).toMatchObject({
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } },
    });
    // No statement lets IAM policies grant direct cryptographic use (the default key policy's kms:* for the account).
    expect(policy.Statement.filter((s) => s.Action === 'kms:*')).toEqual([]);
    // EventBridge may write the dead-letter queues of its targets.
    expect(policy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' } })]));
  });

  test('every bucket but the access-log bucket is SSE-KMS with the key; the access-log bucket is SSE-S3', () => {
    const buckets = resources(template, 'AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(4);
    for (const [id, bucket] of buckets) {
      const rule = (bucket.Properties.BucketEncryption as { ServerSideEncryptionConfiguration: Array<{ ServerSideEncryptionByDefault: Record<string, unknown> }> })
        .ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
      if (/AccessLogs/.test(id)) {
        expect(rule).toEqual({ SSEAlgorithm: 'AES256' });
      } else {
        expect({ id, rule }).toEqual({ id, rule: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } });
      }
    }
  });

  test('every queue (dead-letter queues included) and every log group uses the key', () => {
    const queues = resources(template, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(3);
    for (const [id, queue] of queues) expect({ id, key: queue.Properties.KmsMasterKeyId }).toEqual({ id, key: keyArn });
    const logGroups = resources(template, 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThanOrEqual(8);
    for (const [id, group] of logGroups) expect({ id, key: group.Properties.KmsKeyId }).toEqual({ id, key: keyArn });
  });

  test('the file system and the state machine use the key', () => {
    if (region === 'us-east-1') {
      template.hasResourceProperties('AWS::FSx::FileSystem', { KmsKeyId: keyArn });
    } else {
      template.hasResourceProperties('AWS::EFS::FileSystem', { Encrypted: true, KmsKeyId: keyArn });
    }
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: keyArn },
    });
  });

  test('training volumes and output use the key, and the launcher\'s policy requires it', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [LAUNCHER_ENV.VOLUME_KMS_KEY]: keyArn, [LAUNCHER_ENV.OUTPUT_KMS_KEY]: keyArn } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 'sagemaker:CreateTrainingJob',
        Condition: Match.objectLike({ ArnEquals: { 'sagemaker:OutputKmsKeyArn': keyArn }, ArnEqualsIfExists: { 'sagemaker:VolumeKmsKeyArn': keyArn } }),
      })]) },
    });
  });

  test('no encryption acknowledgment but the access-log buckets\' (S3 server access logging needs SSE-S3) and the API cache\'s (no cache), and five packs clean', () => {
    const stack = app.node.children.find((child) => Stack.isStack(child)) as Stack;
    const acknowledged = encryptionAcknowledgments(stack);
    const accessLogs = /S3DefaultEncryptionKMS at .*\/AccessLogs$/;
    const noCache = /APIGWCacheEnabledAndEncrypted at .*\/DeploymentStage\.v1$/;
    expect(acknowledged.filter((line) => !accessLogs.test(line) && !noCache.test(line))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('PlatformEncryption.AWS_MANAGED and a key of one\'s own', () => {
  test('AWS_MANAGED: no key; SSE-S3 buckets, SQS-managed queues, service-owned log keys; still five packs clean', () => {
    const stack = new DatasetPlatformStack(new App(), 'Platform', { env: { region: 'us-east-1' }, encryption: PlatformEncryption.AWS_MANAGED });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(stack.encryptionKey).toBeUndefined();
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.absent() });
    template.allResourcesProperties('AWS::S3::Bucket', { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('encryptionKey: the given key everywhere, no PlatformKey', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env: { region: 'us-east-1' } });
    const key = kms.Key.fromKeyArn(keys, 'Key', 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555');
    const stack = new DatasetPlatformStack(app, 'Platform', { env: { region: 'us-east-1' }, encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(stack.encryptionKey).toBe(key);
    template.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: key.keyArn });
    template.hasResourceProperties('AWS::FSx::FileSystem', { KmsKeyId: key.keyArn });
  });

  test('encryptionKey with AWS_MANAGED is refused, naming both props', () => {
    const app = new App();
    const key = kms.Key.fromKeyArn(new Stack(app, 'Keys'), 'Key', 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555');
    expect(() => new DatasetPlatformStack(app, 'Platform', { env: { region: 'us-east-1' }, encryption: PlatformEncryption.AWS_MANAGED, encryptionKey: key }))
      .toThrow(/encryptionKey is set but encryption is PlatformEncryption.AWS_MANAGED/);
  });
});

