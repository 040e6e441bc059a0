import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { LustreDatasetFileSystem } from '../filesystems';
import { DatasetIngestion } from '../ingestion';
import { TrainingJobLauncher } from '../launcher';

/** What the platform dashboard shows. */
export interface PlatformDashboardSources {
  readonly ingestion?: DatasetIngestion;
  readonly launcher?: TrainingJobLauncher;
  readonly lustre?: LustreDatasetFileSystem;
}

/** The states a training job reports (`TrainingJobStatus`). */
const TRAINING_JOB_STATES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

const WIDTH = 8;
const HEIGHT = 6;
const PERIOD = Duration.minutes(5);

/**
 * The platform dashboard's rows: ingestion (uploads, conversions and failures, MB/s, duration,
 * queue age, converter health, distributed executions), training (jobs by state, launcher
 * rejections and errors) and the FSx for Lustre file system (client throughput, free storage).
 */
export function platformDashboardRows(sources: PlatformDashboardSources): cloudwatch.IWidget[][] {
  const rows: cloudwatch.IWidget[][] = [];
  const { ingestion, launcher, lustre } = sources;
  if (ingestion) {
    rows.push([
      new cloudwatch.TextWidget({ markdown: '## Ingestion\nUploads → conversion → versioned TFRecord datasets (`DatasetConverted` / `DatasetConversionFailed`).', width: 24, height: 2 }),
    ]);
    rows.push([
      graph('Uploads, conversions and failures', [
        ingestion.metricUploads({ period: PERIOD, label: 'Uploads' }),
        ingestion.metricDatasetsConverted({ period: PERIOD, label: 'Converted' }),
        ingestion.metricConversionFailures({ period: PERIOD, label: 'Failed' }),
      ]),
      graph('Conversion throughput (MB/s)', [ingestion.metricConversionThroughput({ period: PERIOD })]),
      graph('Conversion duration (ms)', [
        ingestion.metricConversionDuration({ period: PERIOD, label: 'Average' }),
        ingestion.metricConversionDuration({ period: PERIOD, statistic: cloudwatch.Stats.p(90), label: 'p90' }),
      ]),
    ]);
    const distributed = ingestion.distributedConversion;
    rows.push([
      graph('Oldest waiting upload (s)', [ingestion.metricUploadQueueAge({ period: PERIOD, label: 'Queue age' })]),
      graph('Converter errors and throttles', [
        ingestion.converter.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: 'Errors' }),
        ingestion.converter.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: 'Throttles' }),
      ]),
      ...(distributed ? [graph('Distributed conversions', [
        distributed.stateMachine.metricStarted({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: 'Started' }),
        distributed.stateMachine.metricSucceeded({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: 'Succeeded' }),
        distributed.metricExecutionsFailed({ period: PERIOD, label: 'Failed, timed out or aborted' }),
        distributed.metricQueuedConversions({ period: PERIOD, label: 'Queued' }),
      ])] : []),
    ]);
  }
  if (launcher) {
    rows.push([new cloudwatch.TextWidget({ markdown: '## Training\nLaunch requests and the state changes of the platform\'s training jobs (`TrainingJobStateChanged`).', width: 24, height: 2 })]);
    rows.push([
      graph('Training jobs by state (state changes)', TRAINING_JOB_STATES.map((state) => launcher.metricTrainingJobStateChanges(state, { period: PERIOD })), 16),
      graph('Launcher rejections and errors', [
        launcher.metricRejections({ period: PERIOD, label: 'Rejected requests' }),
        launcher.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: 'Errors' }),
      ]),
    ]);
  }
  if (lustre) {
    rows.push([new cloudwatch.TextWidget({ markdown: `## FSx for Lustre\n${lustre.storageCapacityGiB} GiB; training jobs read datasets from it in place.`, width: 24, height: 2 })]);
    rows.push([
      graph('Client throughput (MB/s)', [lustre.metricThroughput({ period: Duration.minutes(1) })]),
      graph('Free storage (%)', [lustre.metricFreeDataStoragePercent()], WIDTH, { min: 0, max: 100 }),
      graph('Free storage (bytes)', [lustre.metricFreeDataStorageCapacity({ label: 'Free' })]),
    ]);
  }
  return rows;
}

function graph(title: string, left: cloudwatch.IMetric[], width = WIDTH, leftYAxis?: cloudwatch.YAxisProps): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width, height: HEIGHT, leftYAxis });
}
