import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DATASET_CONVERSION_FAILED, DATASET_CONVERTED, type DatasetConversionFailedDetail, type DatasetConvertedDetail } from '../../contract/ingestion-events';
import { PLATFORM_METRIC_NAMESPACE } from '../../contract/platform-metrics';
import { TRAINING_JOB_STATE_CHANGED } from '../../contract/training-job-events';
import { EventPublisher } from '../../lambda/src/aws';
import { eventMetrics, lambdaMetricSink, launcherResponseMetrics, type MetricRecord, toEmbeddedMetricFormat } from '../../lambda/src/metrics';

const converted = { datasetId: 'cats', durationMs: 8_000, upload: { bucket: 'b', key: 'uploads/t/cats/training.zip', eventTime: 'now', size: 64 * 1024 ** 2 } };

describe('event metrics', () => {
  test.each([
    [DATASET_CONVERTED, converted, [{ dimensions: { EventBus: 'bus' }, metrics: [
      { name: 'DatasetsConverted', unit: 'Count', value: 1 },
      { name: 'ConversionDuration', unit: 'Milliseconds', value: 8_000 },
      { name: 'ConvertedUploadBytes', unit: 'Bytes', value: 64 * 1024 ** 2 },
    ] }]],
    [DATASET_CONVERTED, { ...converted, upload: { ...converted.upload, size: undefined } }, [{ dimensions: { EventBus: 'bus' }, metrics: [
      { name: 'DatasetsConverted', unit: 'Count', value: 1 },
      { name: 'ConversionDuration', unit: 'Milliseconds', value: 8_000 },
    ] }]],
    [DATASET_CONVERSION_FAILED, { code: 'invalid-dataset' }, [{ dimensions: { EventBus: 'bus' }, metrics: [{ name: 'DatasetConversionsFailed', unit: 'Count', value: 1 }] }]],
    [TRAINING_JOB_STATE_CHANGED, { status: 'Failed' }, [{ dimensions: { EventBus: 'bus', Status: 'Failed' }, metrics: [{ name: 'TrainingJobStateChanges', unit: 'Count', value: 1 }] }]],
    [TRAINING_JOB_STATE_CHANGED, {}, []],
    ['DatasetConversionQueued', { datasetId: 'cats' }, []],
    ['DatasetConversionStarted', { datasetId: 'cats' }, []],
  ])('%s %j', (detailType, detail, expected) => {
    expect(eventMetrics('bus', detailType, detail)).toEqual(expected);
  });

  test('launcher responses by function and outcome', () => {
    expect(launcherResponseMetrics('launcher-fn', 'rejected')).toEqual([{ dimensions: { FunctionName: 'launcher-fn', Outcome: 'rejected' }, metrics: [{ name: 'LauncherResponses', unit: 'Count', value: 1 }] }]);
  });
});

describe('embedded metric format', () => {
  test('one line per record: the _aws directive names the namespace, the dimension set and each metric with its unit', () => {
    const [record] = eventMetrics('platform-bus', DATASET_CONVERTED, converted);
    expect(toEmbeddedMetricFormat(record, 1_700_000_000_000)).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [{
          Namespace: PLATFORM_METRIC_NAMESPACE,
          Dimensions: [['EventBus']],
          Metrics: [{ Name: 'DatasetsConverted', Unit: 'Count' }, { Name: 'ConversionDuration', Unit: 'Milliseconds' }, { Name: 'ConvertedUploadBytes', Unit: 'Bytes' }],
        }],
      },
      EventBus: 'platform-bus',
      DatasetsConverted: 1,
      ConversionDuration: 8_000,
      ConvertedUploadBytes: 64 * 1024 ** 2,
    });
  });

  test('a metric named like a dimension is refused (EMF holds one value per member)', () => {
    expect(() => toEmbeddedMetricFormat({ dimensions: { EventBus: 'x' }, metrics: [{ name: 'EventBus', unit: 'Count', value: 1 }] }, 0)).toThrow(/name of a dimension/);
  });

  test('the Lambda sink writes raw JSON lines to stdout in Lambda, nothing elsewhere', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const records = eventMetrics('bus', DATASET_CONVERSION_FAILED, {});
    try {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      lambdaMetricSink(records);
      expect(write).not.toHaveBeenCalled();
      process.env.AWS_LAMBDA_FUNCTION_NAME = 'converter';
      lambdaMetricSink(records);
      expect(write).toHaveBeenCalledTimes(1);
      const line = String(write.mock.calls[0][0]);
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: PLATFORM_METRIC_NAMESPACE }] }, EventBus: 'bus', DatasetConversionsFailed: 1 });
    } finally {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      write.mockRestore();
    }
  });
});

describe('EventPublisher counts what it publishes', () => {
  function publisher(answer: object) {
    const sent: unknown[] = [];
    const records: MetricRecord[] = [];
    const client = { send: async (command: { input: unknown }) => { sent.push(command.input); return answer; } } as unknown as EventBridgeClient;
    return { sent, records, events: new EventPublisher(client, 'platform-bus', 'src', (r) => records.push(...r)) };
  }

  test('an accepted event is counted under the bus it was put on', async () => {
    const { events, records, sent } = publisher({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    // Only the fields the metrics read: the publisher puts whatever detail it is given.
    await expect(events.publish(DATASET_CONVERTED, converted as DatasetConvertedDetail)).resolves.toBe('e-1');
    expect(sent).toEqual([{ Entries: [expect.objectContaining({ EventBusName: 'platform-bus', DetailType: DATASET_CONVERTED })] }]);
    expect(records).toEqual(eventMetrics('platform-bus', DATASET_CONVERTED, converted));
  });

  test('a rejected event is an error and counts nothing', async () => {
    const { events, records } = publisher({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'explicit deny in a resource-based policy' }] });
    await expect(events.publish(DATASET_CONVERSION_FAILED, {} as DatasetConversionFailedDetail)).rejects.toThrow(/rejected the DatasetConversionFailed event on bus platform-bus: AccessDeniedException explicit deny/);
    expect(records).toEqual([]);
  });
});
