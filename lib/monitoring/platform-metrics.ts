import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { PLATFORM_METRIC, PLATFORM_METRIC_DIMENSION, PLATFORM_METRIC_NAMESPACE } from '../../contract/platform-metrics';

/**
 * A metric the platform's functions emit (embedded metric format, namespace
 * `CdkSageMakerDatasets`), with `defaults` where `props` say nothing.
 */
export function platformMetric(metricName: string, dimensionsMap: Record<string, string>, defaults: cloudwatch.MetricOptions, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: PLATFORM_METRIC_NAMESPACE,
    metricName,
    ...defaults,
    ...props,
    dimensionsMap: { ...dimensionsMap, ...props.dimensionsMap },
  });
}

/** A metric counted per event put on `eventBusName` (see contract/platform-metrics.ts). */
export function eventBusMetric(eventBusName: string, metricName: string, defaults: cloudwatch.MetricOptions, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return platformMetric(metricName, { [PLATFORM_METRIC_DIMENSION.EVENT_BUS]: eventBusName }, defaults, props);
}

/**
 * Conversion throughput in MB/s (10^6 bytes per second of conversion): the bytes of the uploads
 * converted in the period over the time their conversions took.
 */
export function conversionThroughput(eventBusName: string, props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
  const period = props.period ?? Duration.minutes(5);
  return new cloudwatch.MathExpression({
    label: 'Conversion MB/s',
    ...props,
    period,
    expression: 'IF(duration > 0, bytes / (duration / 1000) / 1000000, 0)',
    usingMetrics: {
      bytes: eventBusMetric(eventBusName, PLATFORM_METRIC.CONVERTED_UPLOAD_BYTES, { statistic: cloudwatch.Stats.SUM, unit: cloudwatch.Unit.BYTES, period }),
      duration: eventBusMetric(eventBusName, PLATFORM_METRIC.CONVERSION_DURATION, { statistic: cloudwatch.Stats.SUM, unit: cloudwatch.Unit.MILLISECONDS, period }),
    },
  });
}

/** The namespace of FSx metrics. */
export const FSX_NAMESPACE = 'AWS/FSx';

/** An FSx metric of one file system (dimension `FileSystemId`). */
export function fileSystemMetric(fileSystemId: string, metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: FSX_NAMESPACE,
    metricName,
    statistic: cloudwatch.Stats.SUM,
    ...props,
    dimensionsMap: { FileSystemId: fileSystemId, ...props.dimensionsMap },
  });
}

/**
 * The free share of an FSx for Lustre file system's storage in percent: `FreeDataStorageCapacity`
 * (Sum over its storage targets, 1-minute periods: FSx reports it every minute, so a longer Sum would
 * add up samples) against the file system's storage capacity.
 */
export function freeStoragePercent(fileSystemId: string, storageCapacityGiB: number, props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
  const capacityBytes = storageCapacityGiB * 1024 ** 3;
  return new cloudwatch.MathExpression({
    label: 'Free storage %',
    ...props,
    period: Duration.minutes(1),
    expression: `100 * free / ${capacityBytes}`,
    usingMetrics: { free: fileSystemMetric(fileSystemId, 'FreeDataStorageCapacity', { period: Duration.minutes(1), unit: cloudwatch.Unit.BYTES }) },
  });
}

/** Client throughput of an FSx file system in MB/s: (DataReadBytes + DataWriteBytes) / period. */
export function fileSystemThroughput(fileSystemId: string, props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
  const period = props.period ?? Duration.minutes(1);
  return new cloudwatch.MathExpression({
    label: 'Client MB/s',
    ...props,
    period,
    expression: '(reads + writes) / PERIOD(reads) / 1000000',
    usingMetrics: {
      reads: fileSystemMetric(fileSystemId, 'DataReadBytes', { period }),
      writes: fileSystemMetric(fileSystemId, 'DataWriteBytes', { period }),
    },
  });
}

