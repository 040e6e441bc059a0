import { PLATFORM_METRIC_NAMESPACE } from '../../../contract/platform-metrics';

/** One metric value. */
export interface MetricValue {
  readonly name: string;
  readonly unit: 'Count' | 'Milliseconds' | 'Bytes';
  readonly value: number;
}

/** Metric values that share one set of dimensions. */
export interface MetricRecord {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricValue[];
}

/** Where metric records go. */
export type MetricSink = (records: readonly MetricRecord[]) => void;

/**
 * A record as a CloudWatch embedded metric format (EMF) log line: CloudWatch Logs extracts the
 * metrics from it, no PutMetricData call (and no cloudwatch:PutMetricData permission) needed.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function toEmbeddedMetricFormat(record: MetricRecord, timestamp: number, namespace: string = PLATFORM_METRIC_NAMESPACE): Record<string, unknown> {
  const clash = record.metrics.find((metric) => metric.name in record.dimensions);
  if (clash) throw new Error(`metric ${clash.name} has the name of a dimension; EMF keeps one value per member`);
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: namespace,
        Dimensions: [Object.keys(record.dimensions)],
        Metrics: record.metrics.map((metric) => ({ Name: metric.name, Unit: metric.unit })),
      }],
    },
    ...record.dimensions,
    ...Object.fromEntries(record.metrics.map((metric) => [metric.name, metric.value])),
  };
}

/**
 * Writes records as EMF lines to stdout, which Lambda sends to the function's log group. Writes
 * straight to the stream: Lambda's console wrapper would prefix the line and CloudWatch would not
 * see JSON. Outside Lambda (tests, the CLI) nothing is written.
 */
export const lambdaMetricSink: MetricSink = (records) => {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  const now = Date.now();
  for (const record of records) {
    if (record.metrics.length > 0) process.stdout.write(`${JSON.stringify(toEmbeddedMetricFormat(record, now))}\n`);
  }
};
