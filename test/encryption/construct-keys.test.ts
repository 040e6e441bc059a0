import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DatasetIngestion, PlatformKey, SecureBucket, TrainingJobLauncher, TrainingNetwork } from '../../lib';
import { LAUNCHER_ENV } from '../../lambda/src/launcher';

function stackWithKey() {
  const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
  const key = new PlatformKey(stack, 'PlatformKey').key;
  const network = new TrainingNetwork(stack, 'Network', { logEncryptionKey: key });
  const keyArn = stack.resolve(key.keyArn);
  return { stack, key, network, keyArn };
}

type Resource = { Properties: Record<string, unknown> };
const all = (template: Template, type: string) => Object.entries(template.findResources(type)) as Array<[string, Resource]>;

describe('DatasetIngestion encryptionKey', () => {
  const { stack, key, network, keyArn } = stackWithKey();
  new DatasetIngestion(stack, 'Ingestion', { network, encryptionKey: key });
  const template = Template.fromStack(stack);

  test('its buckets are SSE-KMS with the key (their access-log bucket stays SSE-S3)', () => {
    for (const [id, bucket] of all(template, 'AWS::S3::Bucket')) {
      const sse = JSON.stringify(bucket.Properties.BucketEncryption);
      expect({ id, kms: sse.includes('aws:kms') }).toEqual({ id, kms: !/AccessLogs/.test(id) });
    }
  });

  test('its queues, the rule dead-letter queues and every log group (functions, state machine, handlers) use the key', () => {
    for (const [id, queue] of all(template, 'AWS::SQS::Queue')) expect({ id, key: queue.Properties.KmsMasterKeyId }).toEqual({ id, key: keyArn });
    for (const [id, group] of all(template, 'AWS::Logs::LogGroup')) expect({ id, key: group.Properties.KmsKeyId }).toEqual({ id, key: keyArn });
  });

  test('the distributed conversion\'s state machine uses the key', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: keyArn } });
  });
});

describe('TrainingJobLauncher encryptionKey', () => {
  function launcher(extra: Record<string, kms.IKey> = {}) {
    const { stack, key, network, keyArn } = stackWithKey();
    const datasets = new SecureBucket(stack, 'Datasets');
    new TrainingJobLauncher(stack, 'Launcher', {
      network, datasetBucket: datasets.bucket, trainingImageRepositories: [new ecr.Repository(stack, 'Images')],
      encryptionKey: key, ...extra,
    });
    return { stack, template: Template.fromStack(stack), keyArn };
  }

  test('stands in for the volume and output keys, and encrypts the artifacts bucket, the function logs and the dead-letter queue', () => {
    const { template, keyArn } = launcher();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [LAUNCHER_ENV.VOLUME_KMS_KEY]: keyArn, [LAUNCHER_ENV.OUTPUT_KMS_KEY]: keyArn } },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] },
    });
    for (const [id, queue] of all(template, 'AWS::SQS::Queue')) expect({ id, key: queue.Properties.KmsMasterKeyId }).toEqual({ id, key: keyArn });
    for (const [id, group] of all(template, 'AWS::Logs::LogGroup')) {
      // SageMaker's shared training-job log group is not created here; every group the launcher creates uses the key.
      expect({ id, key: group.Properties.KmsKeyId }).toEqual({ id, key: keyArn });
    }
    // EventBridge writes the publisher's dead-letter queue: the key admits it.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'] })]) },
    });
  });

  test('an explicit volume or output key wins over encryptionKey', () => {
    const { stack } = stackWithKey();
    const volume = kms.Key.fromKeyArn(stack, 'Volume', 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-4111-8111-111111111111');
    const { template, keyArn } = launcher({ volumeEncryptionKey: volume });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [LAUNCHER_ENV.VOLUME_KMS_KEY]: volume.keyArn, [LAUNCHER_ENV.OUTPUT_KMS_KEY]: keyArn } },
    });
  });
});

describe('PlatformKey', () => {
  test('rotation on, retained, and no kms:* for the account (IAM cannot grant direct decryption)', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'cn-north-1' } });
    new PlatformKey(stack, 'Key');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(JSON.stringify(template.toJSON())).not.toContain('"kms:*"');
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'CloudWatchLogsOfThisAccount',
        Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
      })]) },
    });
  });
});

