import {
  channelPrefix, compareSequencers, createPointer, isLaterUpload, manifestKey, parsePointer, parseUpload, parseUploadKey, pointerKey,
  UploadIdentity, uploadKey, uploadVersion, versionPrefix,
} from '../../lambda/src/catalog';

const upload = (overrides: Partial<UploadIdentity> = {}): UploadIdentity => ({
  bucket: 'platform-data', key: 'uploads/vision/cats/training.zip', versionId: 'v1', etag: 'abc', sequencer: '0055AED6DCD90281E5', eventTime: '2026-11-22T11:55:26.123Z', ...overrides,
});

describe('dataset keys', () => {
  test.each([
    ['uploads/vision/cats/training.zip', { tenant: 'vision', datasetId: 'cats', channel: 'training' }],
    ['uploads/shared/Set_01-b/evaluation.zip', { tenant: 'shared', datasetId: 'Set_01-b', channel: 'evaluation' }],
  ])('parses %s', (key, expected) => {
    expect(parseUploadKey(key)).toEqual(expected);
    expect(uploadKey(expected)).toBe(key);
  });

  test.each([
    ['uploads/vision/cats/training.tar', /is not of the form uploads\/<tenant>\/<datasetId>\/<channel>\{\.zip \| \.files\.zip \| \.tfrecord \| \.tfrecord\.zip\}/],
    ['uploads/vision/cats/training.images.zip', /Invalid channel "training.images"/],
    ['uploads/vision/cats/training.files.tfrecord', /Invalid channel "training.files"/],
    ['uploads/vision/cats/.files.zip', /Invalid channel ""/],
    ['other/vision/cats/training.zip', /is not of the form/],
    ['uploads/cats/training.zip', /exactly two folders/],
    ['uploads/vision/a/b/training.zip', /exactly two folders/],
    ['uploads/vision/../training.zip', /Invalid dataset id "\.\."/],
    ['uploads/../cats/training.zip', /Invalid tenant "\.\."/],
    ['uploads/Vision/cats/training.zip', /Invalid tenant "Vision": it must be a lowercase letter/],
    ['uploads/team-a/cats/training.zip', /Invalid tenant "team-a"/],
    ['uploads/vision/cats/tr aining.zip', /Invalid channel "tr aining"/],
    ['uploads/vision/-cats/training.zip', /Invalid dataset id "-cats": it must be a letter or digit/],
    [`uploads/vision/${'a'.repeat(65)}/training.zip`, /Invalid dataset id/],
    ['uploads/vision/cats/.zip', /Invalid channel ""/],
  ])('rejects %s', (key, message) => {
    expect(() => parseUploadKey(key)).toThrow(message);
  });

  test.each([
    ['uploads/vision/cats/training.zip', 'images', 'uploads/vision/cats/training.zip'],
    ['uploads/vision/cats/checkpoints.files.zip', 'files', 'uploads/vision/cats/checkpoints.files.zip'],
    ['uploads/vision/cats/records.tfrecord', 'tfrecord', 'uploads/vision/cats/records.tfrecord'],
    ['uploads/vision/cats/records.tfrecord.zip', 'tfrecord', 'uploads/vision/cats/records.tfrecord'],
  ] as const)('reads the kind of %s from its suffix (%s)', (key, kind, canonical) => {
    const parsed = parseUpload(key);
    expect(parsed.kind).toBe(kind);
    expect(parseUploadKey(key)).toEqual(parsed.ref);
    expect(uploadKey(parsed.ref, kind)).toBe(canonical);
  });

  test('names the kinds when given an unknown one', () => {
    expect(() => uploadKey({ tenant: 'vision', datasetId: 'cats', channel: 'training' }, 'parquet' as never)).toThrow('Invalid kind "parquet": it must be one of images, files, tfrecord.');
  });

  test('derives the dataset layout', () => {
    const ref = { tenant: 'vision', datasetId: 'cats', channel: 'training' };
    const version = uploadVersion(upload());
    expect(channelPrefix(ref)).toBe('datasets/vision/cats/training/');
    expect(versionPrefix(ref, version)).toBe(`datasets/vision/cats/training/${version}/`);
    expect(manifestKey(ref, version)).toBe(`datasets/vision/cats/training/${version}/manifest.json`);
    expect(pointerKey(ref)).toBe('datasets/vision/cats/training/current.json');
    expect(() => versionPrefix(ref, '../x')).toThrow(/Invalid dataset version/);
  });
});

describe('upload versions', () => {
  test('are time-ordered names, stable for the same object version', () => {
    expect(uploadVersion(upload())).toMatch(/^v20261122T115526123Z-[0-9a-f]{12}$/);
    expect(uploadVersion(upload())).toBe(uploadVersion(upload({ sequencer: 'other' })));
    expect(uploadVersion(upload({ versionId: 'v2' }))).not.toBe(uploadVersion(upload()));
  });

  test('reject an invalid event time', () => {
    expect(() => uploadVersion(upload({ eventTime: 'yesterday' }))).toThrow(/invalid event time "yesterday"/);
  });

  test('sequencers compare after right-padding with zeros', () => {
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281E6')).toBe(-1);
    expect(compareSequencers('0055AED6DCD9028', '0055AED6DCD90281')).toBe(-1);
    expect(compareSequencers('0055AED6DCD90280', '0055AED6DCD9028')).toBe(0);
    expect(compareSequencers(undefined, 'AB')).toBe(0);
  });

  test('a later sequencer wins, then a later time, then the version name', () => {
    expect(isLaterUpload(upload({ sequencer: '0056' }), upload({ sequencer: '0055' }))).toBe(true);
    expect(isLaterUpload(upload({ sequencer: '0055', eventTime: '2030-01-01T00:00:00Z' }), upload({ sequencer: '0056' }))).toBe(false);
    expect(isLaterUpload(upload({ sequencer: undefined, eventTime: '2026-11-22T12:00:00Z' }), upload({ sequencer: undefined }))).toBe(true);
    expect(isLaterUpload(upload(), upload())).toBe(false);
  });
});

describe('dataset pointer', () => {
  const ref = { tenant: 'vision', datasetId: 'cats', channel: 'training' };
  const version = uploadVersion(upload());
  const pointer = createPointer(ref, version, upload(), new Date('2026-11-22T12:00:00Z'));

  test('round-trips through JSON', () => {
    expect(parsePointer(JSON.stringify(pointer), 's3://b/k')).toEqual(pointer);
    expect(pointer.prefix).toBe(`datasets/vision/cats/training/${version}/`);
  });

  test.each([
    ['not JSON', '{', /s3:\/\/b\/k is not JSON/],
    ['another document', '{"hello":1}', /is not a dataset pointer/],
    ['a moved prefix', JSON.stringify({ ...pointer, prefix: 'datasets/dogs/training/x/' }), /is inconsistent/],
    ['no source', JSON.stringify({ ...pointer, source: null }), /has no source upload/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parsePointer(text, 's3://b/k')).toThrow(message);
  });
});
