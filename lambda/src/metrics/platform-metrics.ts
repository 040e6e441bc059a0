import { DATASET_CONVERSION_FAILED, DATASET_CONVERTED, type DatasetConvertedDetail } from '../../../contract/ingestion-events';
import { PLATFORM_METRIC, PLATFORM_METRIC_DIMENSION as D } from '../../../contract/platform-metrics';
import { TRAINING_JOB_STATE_CHANGED, type TrainingJobStateChangedDetail } from '../../../contract/training-job-events';
import type { MetricRecord, MetricValue } from './embedded-metrics';

/**
 * The metrics one platform event stands for, under the bus it was put on: conversions (count,
 * duration, upload bytes), failures, and training-job state changes by status. Other events count nothing.
 */
export function eventMetrics(eventBusName: string, detailType: string, detail: object): MetricRecord[] {
  const bus = { [D.EVENT_BUS]: eventBusName };
  switch (detailType) {
    case DATASET_CONVERTED: {
      const converted = detail as Partial<DatasetConvertedDetail>;
      const metrics: MetricValue[] = [{ name: PLATFORM_METRIC.DATASETS_CONVERTED, unit: 'Count', value: 1 }];
      if (isCount(converted.durationMs)) metrics.push({ name: PLATFORM_METRIC.CONVERSION_DURATION, unit: 'Milliseconds', value: converted.durationMs });
      if (isCount(converted.upload?.size)) metrics.push({ name: PLATFORM_METRIC.CONVERTED_UPLOAD_BYTES, unit: 'Bytes', value: converted.upload.size });
      return [{ dimensions: bus, metrics }];
    }
    case DATASET_CONVERSION_FAILED:
      return [{ dimensions: bus, metrics: [{ name: PLATFORM_METRIC.DATASET_CONVERSIONS_FAILED, unit: 'Count', value: 1 }] }];
    case TRAINING_JOB_STATE_CHANGED: {
      const status = (detail as Partial<TrainingJobStateChangedDetail>).status;
      return typeof status === 'string' && status.length > 0
        ? [{ dimensions: { ...bus, [D.STATUS]: status }, metrics: [{ name: PLATFORM_METRIC.TRAINING_JOB_STATE_CHANGES, unit: 'Count', value: 1 }] }]
        : [];
    }
    default:
      return [];
  }
}

/** One launcher response, by outcome (`rejected`, `launched`, `partial`, `failed`, `stopping`, …). */
export function launcherResponseMetrics(functionName: string, outcome: string): MetricRecord[] {
  return [{
    dimensions: { [D.FUNCTION_NAME]: functionName, [D.OUTCOME]: outcome },
    metrics: [{ name: PLATFORM_METRIC.LAUNCHER_RESPONSES, unit: 'Count', value: 1 }],
  }];
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
