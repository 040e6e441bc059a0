import { ConversionFailureCode, ConversionState, INGESTION_EVENT_SCHEMA_VERSION, type ConversionStatusDocument } from '../../contract/ingestion-events';
import { channelSummary, type ChannelFacts } from '../../lambda/src/api/datasets';

/** The dataset listing shows what the converters recorded about the newest upload. */
const upload = { key: 'uploads/vision/cats/training.zip', size: 300 * 1024 ** 3, lastModified: '2026-12-03T10:00:00.000Z', etag: '"e1"' };
const recorded = (state: ConversionState, extra: Partial<ConversionStatusDocument> = {}): ConversionStatusDocument => ({
  schemaVersion: INGESTION_EVENT_SCHEMA_VERSION,
  version: 'v20261203T100000Z-e1',
  upload: { bucket: 'uploads', key: upload.key, etag: 'e1', eventTime: upload.lastModified, size: upload.size },
  state,
  updatedAt: '2026-12-03T10:00:01.000Z',
  ...extra,
});
const facts = (conversion: ConversionStatusDocument): ChannelFacts => ({ datasetId: 'cats', channel: 'training', upload, versions: [], conversion });

describe('channelSummary: refused and queued uploads', () => {
  test('an upload over maxUploadSize is listed as failed, with the reason, the code and the message', () => {
    const summary = channelSummary(facts(recorded(ConversionState.FAILED, {
      code: ConversionFailureCode.UPLOAD_TOO_LARGE,
      reason: 'larger than the maximum upload size',
      message: 'The upload is 300 GiB (322122547200 bytes), above the maximum upload size of 200 GiB.',
    })));
    expect(summary).toMatchObject({ channel: 'training', status: 'failed', upload: { size: upload.size } });
    expect(summary.reason).toBe('larger than the maximum upload size (upload-too-large): The upload is 300 GiB (322122547200 bytes), above the maximum upload size of 200 GiB.');
  });

  test('an upload waiting for a distributed conversion slot is listed as converting, queued, at 0', () => {
    expect(channelSummary(facts(recorded(ConversionState.QUEUED, { progress: 0 })))).toMatchObject({
      status: 'converting', progress: 0, reason: 'queued: waiting for a free distributed conversion slot',
    });
  });
});
