import { decodeS3NotificationKey, NoticeRoute, normalizeEtag, normalizeTime, parseQueueMessage, UnrecognizedMessageError } from '../../lambda/src/ingestion/upload-event';

/** The body moto 5.2.1 delivers for S3 → EventBridge → SQS (captured), with its quirks: `eTag`, reason, fixed sequencer. */
const motoEventBridgeBody = JSON.stringify({
  version: '0', id: '17793124-05d4-b198-2fde-7ededc63b103', 'detail-type': 'Object Created', source: 'aws.s3', account: '123456789012',
  time: '2026-11-22T11:59:28Z', region: 'us-east-1', resources: ['arn:aws:s3:::upl'],
  detail: {
    version: '0', bucket: { name: 'upl' },
    object: { key: 'uploads/vision/cats/training.zip', size: 3, eTag: 'adcdbd79a8d84175c229b192aadc02f2', 'version-id': '633274c6-d8f1-41aa-95ef-21e4bc99b33c', sequencer: '617f08299329d189' },
    'request-id': 'N4N7GDK58NMKJ12R', requester: '123456789012', 'source-ip-address': '1.2.3.4', reason: 'ObjectCreated',
  },
});

/** The documented real S3 EventBridge shape: lowercase `etag`. */
const realEventBridgeBody = JSON.stringify({
  version: '0', id: 'x', 'detail-type': 'Object Created', source: 'aws.s3', account: '111122223333', time: '2026-11-12T00:00:00Z', region: 'cn-north-1',
  resources: ['arn:aws-cn:s3:::bucket'],
  detail: { version: '0', bucket: { name: 'bucket' }, object: { key: 'uploads/my set/training.zip', size: 5, etag: '"b1946ac92492d2347c6235b4d2611184"', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', sequencer: '00617F08299329D189' }, reason: 'PutObject' },
});

const s3NotificationBody = (key: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  Records: [{
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-11-22T11:55:26.123Z', eventName: 'ObjectCreated:Put',
    s3: { s3SchemaVersion: '1.0', configurationId: 'c', bucket: { name: 'upl', arn: 'arn:aws:s3:::upl' }, object: { key, size: 42, eTag: '0123abcd', versionId: 'v1', sequencer: '0055AED6DCD90281E5' } },
    ...extra,
  }],
});

describe('parseQueueMessage', () => {
  test('reads moto\'s EventBridge "Object Created" (eTag, no encoding)', () => {
    const message = parseQueueMessage(motoEventBridgeBody);
    expect(message).toEqual({
      kind: 'uploads', ignored: [],
      notices: [{
        route: NoticeRoute.EVENTBRIDGE, size: 3,
        upload: { bucket: 'upl', key: 'uploads/vision/cats/training.zip', versionId: '633274c6-d8f1-41aa-95ef-21e4bc99b33c', etag: 'adcdbd79a8d84175c229b192aadc02f2', sequencer: '617f08299329d189', eventTime: '2026-11-22T11:59:28.000Z' },
      }],
    });
  });

  test('reads real S3\'s EventBridge shape (etag, quoted) and keeps the key as it is', () => {
    const message = parseQueueMessage(realEventBridgeBody);
    expect(message.kind).toBe('uploads');
    if (message.kind !== 'uploads') return;
    expect(message.notices[0].upload).toMatchObject({ key: 'uploads/my set/training.zip', etag: 'b1946ac92492d2347c6235b4d2611184', eventTime: '2026-11-12T00:00:00.000Z' });
  });

  test('reads a direct S3 notification and decodes its key', () => {
    const message = parseQueueMessage(s3NotificationBody('uploads%2Fmy+cats%2Ftr%2Bx.zip'));
    expect(message).toEqual({
      kind: 'uploads', ignored: [],
      notices: [{
        route: NoticeRoute.S3_NOTIFICATION, size: 42,
        upload: { bucket: 'upl', key: 'uploads/my cats/tr+x.zip', versionId: 'v1', etag: '0123abcd', sequencer: '0055AED6DCD90281E5', eventTime: '2026-11-22T11:55:26.123Z' },
      }],
    });
  });

  test('moto\'s zone-less eventTime is UTC', () => {
    const body = s3NotificationBody('uploads/a/b.zip').replace('2026-11-22T11:55:26.123Z', '2026-11-22T11:55:26.123456');
    const message = parseQueueMessage(body);
    expect(message.kind === 'uploads' && message.notices[0].upload.eventTime).toBe('2026-11-22T11:55:26.123Z');
  });

  test.each([
    ['s3:TestEvent', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2014-10-13T15:57:02.089Z', Bucket: 'b', RequestId: 'r', HostId: 'h' }), /s3:TestEvent/],
    ['another EventBridge detail type', motoEventBridgeBody.replace('Object Created', 'Object Deleted'), /is not an S3 "Object Created" event/],
  ])('ignores %s', (_name, body, reason) => {
    const message = parseQueueMessage(body);
    expect(message.kind).toBe('ignored');
    expect(message.kind === 'ignored' && message.reason).toMatch(reason);
  });

  test('ignores records that are not ObjectCreated and keeps the others', () => {
    const created = JSON.parse(s3NotificationBody('uploads/a/b.zip')).Records[0];
    const body = JSON.stringify({ Records: [{ ...created, eventName: 'ObjectRemoved:Delete' }, created] });
    const message = parseQueueMessage(body);
    expect(message.kind === 'uploads' && message.notices.length).toBe(1);
    expect(message.kind === 'uploads' && message.ignored).toEqual(['record 0: ObjectRemoved:Delete is not an ObjectCreated event']);
  });

  test.each([
    ['not JSON', 'hello', /the body is not JSON/],
    ['a JSON array', '[1,2]', /neither an EventBridge event nor an S3 notification/],
    ['an S3 notification without records', '{"Records":[]}', /no records/],
    ['a record without s3', '{"Records":[{"eventName":"ObjectCreated:Put","eventTime":"2026-01-01T00:00:00Z"}]}', /record 0 is malformed/],
    ['an EventBridge event without detail', '{"detail-type":"Object Created","source":"aws.s3","time":"2026-01-01T00:00:00Z"}', /without the S3 "Object Created" fields/],
    ['a bad time', motoEventBridgeBody.replace('2026-11-22T11:59:28Z', 'yesterday'), /is not a date/],
  ])('rejects %s as a poison message', (_name, body, message) => {
    expect(() => parseQueueMessage(body)).toThrow(UnrecognizedMessageError);
    expect(() => parseQueueMessage(body)).toThrow(message);
  });
});

describe('normalisation', () => {
  test.each([
    ['red+flower.jpg', 'red flower.jpg'],
    ['uploads%2Fmy+file%2Bx.csv', 'uploads/my file+x.csv'],
    ['uploads/plain/key.zip', 'uploads/plain/key.zip'],
    ['caf%C3%A9', 'café'],
    ['bad%E0%A4%A', 'bad%E0%A4%A'],
  ])('decodes the notification key %s', (raw, decoded) => {
    expect(decodeS3NotificationKey(raw)).toBe(decoded);
  });

  test('ETags lose their quotes; times become UTC ISO with milliseconds', () => {
    expect(normalizeEtag('"abc-2"')).toBe('abc-2');
    expect(normalizeEtag('abc')).toBe('abc');
    expect(normalizeEtag('""')).toBeUndefined();
    expect(normalizeTime('2026-01-01T10:00:00+02:00')).toBe('2026-01-01T08:00:00.000Z');
  });
});
