import { DescribeManagedPrefixListsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand, DeleteBucketCommand, GetBucketNotificationConfigurationCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand,
  type QueueConfiguration, S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { bucketEventBridgeWork, customResourceHandler, s3PrefixListWork } from '../../lambda/src/custom-resources';
import { describeWithTool, MOTO_SERVER } from '../support/external-tool';
import { MOTO_ACCOUNT_ID, useMotoServer } from '../support/moto-server';

const RESPONSES = 'cloudformation-responses';
const context = { logStreamName: 'stream-1', getRemainingTimeInMillis: () => 120_000 };

/**
 * The custom-resource handlers as deployed, against moto_server: the S3 and EC2 calls are real
 * requests, and CloudFormation's pre-signed response URL is a pre-signed PUT to a moto bucket,
 * read back to see the answer.
 */
describeWithTool(MOTO_SERVER, 'custom-resource handlers against moto_server', () => {
  const moto = useMotoServer();
  beforeAll(() => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  let s3: S3Client;
  let requestCount = 0;

  beforeAll(async () => {
    s3 = new S3Client(moto.s3Config());
    await s3.send(new CreateBucketCommand({ Bucket: RESPONSES }));
  });

  /** Runs one request through the handler and returns CloudFormation's view of the answer. */
  async function request(handler: ReturnType<typeof customResourceHandler>, event: Record<string, unknown>): Promise<Record<string, unknown>> {
    const key = `response-${++requestCount}`;
    const ResponseURL = await getSignedUrl(s3, new PutObjectCommand({ Bucket: RESPONSES, Key: key }), { expiresIn: 300 });
    await handler({
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:handler', StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
      RequestId: `request-${requestCount}`, LogicalResourceId: 'Resource', ResourceType: 'Custom::Test', ResponseURL, ...event,
    } as unknown as CloudFormationCustomResourceEvent, context);
    const answer = await s3.send(new GetObjectCommand({ Bucket: RESPONSES, Key: key }));
    return JSON.parse(await answer.Body!.transformToString());
  }

  describe('Custom::BucketEventBridgeNotifications', () => {
    const handler = () => customResourceHandler(bucketEventBridgeWork(s3));
    const properties = (bucket: string) => ({ ServiceToken: 'arn', BucketName: bucket });
    let sqs: SQSClient;
    const queues = { fsx: '', observer: '' };
    let fsxRule: QueueConfiguration;
    let taggingRule: QueueConfiguration;

    beforeAll(async () => {
      sqs = new SQSClient(moto.config());
      const events = new EventBridgeClient(moto.config());
      await s3.send(new CreateBucketCommand({ Bucket: 'datasets' }));
      const arns: Record<string, string> = {};
      for (const name of ['fsx', 'observer', 'tagging']) {
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
        arns[name] = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
        if (name in queues) queues[name as keyof typeof queues] = QueueUrl!;
      }
      // What EventBridge delivers: S3's Object Created events on the default bus, to the observer queue.
      await events.send(new PutRuleCommand({ Name: 's3-object-created', EventPattern: JSON.stringify({ 'source': ['aws.s3'], 'detail-type': ['Object Created'] }) }));
      await events.send(new PutTargetsCommand({ Rule: 's3-object-created', Targets: [{ Id: 'observer', Arn: arns.observer }] }));
      // FSx for Lustre's rule (auto-import) and a consumer's own, with a filter (moto accepts lower-case rule names only).
      fsxRule = { Id: 'FSx', QueueArn: arns.fsx, Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] };
      taggingRule = { Id: 'tagging', QueueArn: arns.tagging, Events: ['s3:ObjectTagging:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'x/' }] } } };
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'datasets', NotificationConfiguration: { QueueConfigurations: [fsxRule, taggingRule] } }));
    });

    /** The keys of the S3 events each queue received since the last call (test events ignored). */
    async function delivered(key: string): Promise<{ fsx: string[]; eventBridge: string[] }> {
      await s3.send(new PutObjectCommand({ Bucket: 'datasets', Key: key, Body: 'x' }));
      const drain = async (url: string) => {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const message of Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
        return (Messages ?? []).map((message) => JSON.parse(message.Body!));
      };
      const fsx = (await drain(queues.fsx)).flatMap((body: { Records?: Array<{ s3: { object: { key: string } } }> }) => (body.Records ?? []).map((record) => record.s3.object.key));
      const eventBridge = (await drain(queues.observer)).map((event: { detail: { object: { key: string } } }) => event.detail.object.key);
      return { fsx, eventBridge };
    }

    const configuration = async (bucket: string) => {
      const { QueueConfigurations, TopicConfigurations, LambdaFunctionConfigurations } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      return { QueueConfigurations, TopicConfigurations, LambdaFunctionConfigurations };
    };

    test('before: FSx\'s rule delivers, EventBridge does not', async () => {
      expect(await delivered('before.txt')).toEqual({ fsx: ['before.txt'], eventBridge: [] });
    });

    test('create turns EventBridge on and keeps FSx\'s rule and every other rule, ids and filters included', async () => {
      const answer = await request(handler(), { RequestType: 'Create', ResourceProperties: properties('datasets') });
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'datasets', Reason: 'Log stream: stream-1' });
      expect(await delivered('created.txt')).toEqual({ fsx: ['created.txt'], eventBridge: ['created.txt'] });
      expect(await configuration('datasets')).toMatchObject({ QueueConfigurations: [fsxRule, taggingRule] });
    });

    test('update is idempotent', async () => {
      const answer = await request(handler(), { RequestType: 'Update', PhysicalResourceId: 'datasets', ResourceProperties: properties('datasets'), OldResourceProperties: properties('datasets') });
      expect(answer.Status).toBe('SUCCESS');
      expect(await delivered('updated.txt')).toEqual({ fsx: ['updated.txt'], eventBridge: ['updated.txt'] });
      expect(await configuration('datasets')).toMatchObject({ QueueConfigurations: [fsxRule, taggingRule] });
    });

    test('delete turns EventBridge off only', async () => {
      const answer = await request(handler(), { RequestType: 'Delete', PhysicalResourceId: 'datasets', ResourceProperties: properties('datasets') });
      expect(answer.Status).toBe('SUCCESS');
      expect(await delivered('deleted.txt')).toEqual({ fsx: ['deleted.txt'], eventBridge: [] });
      expect(await configuration('datasets')).toMatchObject({ QueueConfigurations: [fsxRule, taggingRule] });
    });

    test('deleting after the bucket is gone succeeds', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'short-lived' }));
      await s3.send(new DeleteBucketCommand({ Bucket: 'short-lived' }));
      const answer = await request(handler(), { RequestType: 'Delete', PhysicalResourceId: 'short-lived', ResourceProperties: properties('short-lived') });
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'short-lived' });
    });

    test('creating on a missing bucket fails the deployment with S3\'s error', async () => {
      const answer = await request(handler(), { RequestType: 'Create', ResourceProperties: properties('no-such-bucket') });
      expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'Resource-not-created', Reason: expect.stringMatching(/^NoSuchBucket: .* Log stream: stream-1$/) });
    });
  });

  describe('Custom::S3PrefixList', () => {
    const ec2 = () => new EC2Client(moto.config());

    test.each(['us-east-1', 'eu-west-1'])('finds the one AWS-owned S3 prefix list of %s', async (region) => {
      const { PrefixLists } = await new EC2Client(moto.config(region)).send(new DescribeManagedPrefixListsCommand({}));
      const expected = PrefixLists!.find((list) => list.PrefixListName === `com.amazonaws.${region}.s3`)!.PrefixListId;
      const answer = await request(customResourceHandler(s3PrefixListWork(new EC2Client(moto.config(region)), region)), { RequestType: 'Create', ResourceProperties: { ServiceToken: 'arn' } });
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expected, Data: { PrefixListId: expected } });
      expect(expected).toMatch(/^pl-/);
    });

    test('a region without one fails the deployment, naming both names it asked for', async () => {
      // The region moto serves is the client's; asking for names of another region finds none.
      const answer = await request(customResourceHandler(s3PrefixListWork(ec2(), 'cn-north-1')), { RequestType: 'Create', ResourceProperties: { ServiceToken: 'arn' } });
      expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('expected exactly one AWS-managed S3 prefix list named com.amazonaws.cn-north-1.s3 or cn.com.amazonaws.cn-north-1.s3, found none.') });
    });

    test('delete answers with the current id and asks EC2 nothing', async () => {
      const unreachable = new EC2Client({ ...moto.config(), endpoint: 'http://127.0.0.1:9' });
      const answer = await request(customResourceHandler(s3PrefixListWork(unreachable, 'us-east-1')), { RequestType: 'Delete', PhysicalResourceId: 'pl-63a5400a', ResourceProperties: { ServiceToken: 'arn' } });
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'pl-63a5400a' });
    });

    test('moto\'s AWS-owned lists carry owner AWS, as the filter expects', async () => {
      const { PrefixLists } = await ec2().send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'owner-id', Values: ['AWS'] }] }));
      expect(PrefixLists!.map((list) => list.PrefixListName)).toContain('com.amazonaws.us-east-1.s3');
      expect(PrefixLists!.every((list) => list.OwnerId === 'AWS')).toBe(true);
      expect(MOTO_ACCOUNT_ID).not.toBe('AWS');
    });
  });
});
