import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { customResourceHandler, MAX_RESPONSE_BYTES, responseBody, TIMEOUT_MARGIN_MS, withEventBridge } from '../../lambda/src/custom-resources';

const base = { ServiceToken: 'arn', ResponseURL: 'https://response.example/put', StackId: 'stack-1', RequestId: 'request-1', LogicalResourceId: 'Thing', ResourceType: 'Custom::Thing', ResourceProperties: { ServiceToken: 'arn' } };
const create: CloudFormationCustomResourceEvent = { ...base, RequestType: 'Create' };
const update: CloudFormationCustomResourceEvent = { ...base, RequestType: 'Update', PhysicalResourceId: 'thing-1', OldResourceProperties: { ServiceToken: 'arn' } };

function context(remainingMs = 120_000) {
  return { logStreamName: '2026/12/03/[$LATEST]abc', getRemainingTimeInMillis: () => remainingMs };
}

function recorder() {
  const sent: Array<{ url: string; body: Record<string, unknown> }> = [];
  return { sent, send: async (url: string, body: string) => { sent.push({ url, body: JSON.parse(body) }); } };
}

describe('customResourceHandler answers every request exactly once', () => {
  beforeAll(() => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  test('success: the outcome\'s physical id and data, the request\'s ids, the log stream in the reason', async () => {
    const { sent, send } = recorder();
    await customResourceHandler(async () => ({ physicalResourceId: 'thing-1', data: { Id: 'x' } }), send)(create, context());
    expect(sent).toEqual([{ url: base.ResponseURL, body: {
      Status: 'SUCCESS', Reason: 'Log stream: 2026/12/03/[$LATEST]abc', PhysicalResourceId: 'thing-1', StackId: 'stack-1', RequestId: 'request-1', LogicalResourceId: 'Thing', Data: { Id: 'x' },
    } }]);
  });

  test.each([
    ['a failed create gets a placeholder id', create, 'Thing-not-created'],
    ['a failed update keeps the current id (no replacement)', update, 'thing-1'],
  ])('%s, and the error message', async (_name, event, physicalId) => {
    const { sent, send } = recorder();
    await customResourceHandler(async () => { throw new Error('the bucket is gone'); }, send)(event, context());
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId, Reason: 'the bucket is gone Log stream: 2026/12/03/[$LATEST]abc', Data: {} });
  });

  test('an SDK error is named', async () => {
    const { sent, send } = recorder();
    const error = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    await customResourceHandler(async () => { throw error; }, send)(create, context());
    expect(sent[0].body.Reason).toMatch(/^AccessDenied: Access Denied /);
  });

  test('work that outlives the function answers FAILED before the timeout, once', async () => {
    const { sent, send } = recorder();
    const started = Date.now();
    await customResourceHandler(() => new Promise(() => undefined), send)(create, context(TIMEOUT_MARGIN_MS + 50));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^Create did not finish before the function's timeout\./) });
  });

  test('a response that cannot be sent throws, so Lambda retries the invocation', async () => {
    await expect(customResourceHandler(async () => ({ physicalResourceId: 'x' }), async () => { throw new Error('403'); })(create, context())).rejects.toThrow('403');
  });
});

describe('responseBody', () => {
  test('a huge reason is shortened to fit CloudFormation\'s 4096 bytes; ids and the log stream stay whole', () => {
    const body = responseBody(create, 'FAILED', { physicalResourceId: 'Thing-not-created' }, 'stream-1', 'é'.repeat(10_000));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ PhysicalResourceId: 'Thing-not-created', RequestId: 'request-1', StackId: 'stack-1' });
    expect(parsed.Reason).toMatch(/… \(truncated\) Log stream: stream-1$/);
  });
});

describe('withEventBridge', () => {
  const fsx = { Id: 'FSx', TopicArn: 'arn:aws-cn:sns:cn-north-1:111122223333:fsx', Events: ['s3:ObjectCreated:*' as const] };
  test.each([
    ['on, from none', { TopicConfigurations: [fsx] }, true, { TopicConfigurations: [fsx], EventBridgeConfiguration: {} }],
    ['on, already on', { TopicConfigurations: [fsx], EventBridgeConfiguration: {} }, true, { TopicConfigurations: [fsx], EventBridgeConfiguration: {} }],
    ['off', { TopicConfigurations: [fsx], EventBridgeConfiguration: {} }, false, { TopicConfigurations: [fsx] }],
    ['off, already off, empty', {}, false, {}],
  ])('%s: only EventBridgeConfiguration changes', (_name, current, enabled, expected) => {
    const before = JSON.stringify(current);
    expect(withEventBridge(current, enabled)).toEqual(expected);
    expect(JSON.stringify(current)).toBe(before);
  });
});
