import { Aspects, Duration, IAspect, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { IDatasetFileSystem, LustreDatasetFileSystem } from '../filesystems';
import { DatasetIngestion } from '../ingestion';
import { TrainingJobLauncher } from '../launcher';
import { acknowledgeFindings } from '../nag/acknowledge';
import { existingQueueAlarm, findDeadLetterQueues, queueOwner } from './dead-letter-queues';
import { platformDashboardRows } from './platform-dashboard';
import { numberIn, numberText } from '../validation';

/** Properties of a {@link PlatformMonitoring}. */
export interface PlatformMonitoringProps {
  /**
   * The ingestion pipeline to watch: converter errors and throttles, the distributed conversion's
   * failed executions, and its conversions, failures, throughput and queue age on the dashboard.
   * @default - no ingestion alarms or widgets
   */
  readonly ingestion?: DatasetIngestion;

  /**
   * The launcher to watch: its errors, rejections and training-job state changes.
   * @default - no launcher alarms or widgets
   */
  readonly launcher?: TrainingJobLauncher;

  /**
   * The dataset file system: an FSx for Lustre file system created by this library gets a
   * free-storage alarm and throughput and capacity widgets.
   * @default - no file-system alarm or widgets
   */
  readonly fileSystem?: IDatasetFileSystem;

  /**
   * Where alarms notify (alarm and OK actions).
   * @default - alarms without actions (attach them with `alarms[i].addAlarmAction()`)
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The free share of the file system's storage below which its alarm fires, in percent (1–99).
   * @default 10
   */
  readonly freeStorageAlarmPercent?: number;

  /**
   * The dashboard's name.
   * @default - a name CloudFormation derives from the construct's path
   */
  readonly dashboardName?: string;
}

/**
 * Alarms and a dashboard for one platform: an alarm on every dead-letter queue of the stack (found
 * at synthesis, so queues added after this construct count too), the distributed conversion's
 * failed executions and an upload queued longer than one conversion may run, launcher errors, converter errors and throttles, and FSx for Lustre free
 * storage under 10 %; each notifies `alarmTopic` when one is given. The dashboard shows uploads,
 * conversions and their MB/s, failures, training jobs by state, and the file system's throughput
 * and capacity.
 *
 * @example
 * new PlatformMonitoring(this, 'Monitoring', { ingestion, launcher, fileSystem, alarmTopic: onCall });
 */
export class PlatformMonitoring extends Construct {
  /** The platform's dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  /** Where alarms notify, when given. */
  public readonly alarmTopic?: sns.ITopic;

  private readonly alarmList: cloudwatch.Alarm[] = [];
  private readonly alarmAction?: actions.SnsAction;
  private readonly deadLetterQueueAlarmList: cloudwatch.Alarm[] = [];
  private deadLetterQueuesFound = false;

  constructor(scope: Construct, id: string, props: PlatformMonitoringProps = {}) {
    super(scope, id);
    const freePercent = numberIn({ scope: this, construct: 'PlatformMonitoring' }, 'freeStorageAlarmPercent', props.freeStorageAlarmPercent ?? 10, 1, 99,
      'It is the percentage of free FSx storage under which the alarm fires; use e.g. 10.');
    this.alarmTopic = props.alarmTopic;
    this.alarmAction = props.alarmTopic ? new actions.SnsAction(props.alarmTopic) : undefined;

    const { ingestion, launcher } = props;
    if (ingestion) {
      this.addAlarm('ConverterErrors', ingestion.converter.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), {
        description: `The dataset converter (${ingestion.converter.node.path}) failed. Failed uploads are retried and end in the ingestion dead-letter queue; read the function's log group for the error.`,
      });
      this.addAlarm('ConverterThrottles', ingestion.converter.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), {
        description: `The dataset converter (${ingestion.converter.node.path}) was throttled: the account's or the function's concurrency is exhausted. Uploads wait in the queue; raise the limit or lower other functions' use.`,
      });
      const distributed = ingestion.distributedConversion;
      if (distributed) {
        this.addAlarm('DistributedConversionFailures', distributed.metricExecutionsFailed({ period: Duration.minutes(5) }), {
          description: `A distributed conversion (${distributed.stateMachine.node.path}) failed, timed out or was aborted. Its DatasetConversionFailed event names the upload; the execution history names the step.`,
        });
        // A queued upload waits for a running conversion to end; each ends within `timeout`, so a
        // wait longer than that means the platform is saturated or the dispatcher starts nothing.
        const waitLimit = distributed.timeout.isUnresolved() ? undefined : distributed.timeout;
        if (waitLimit) {
          this.addAlarm('DistributedConversionBacklogAge', distributed.metricOldestQueuedConversionAge({ period: Duration.minutes(5) }), {
            description: `An upload has waited more than ${waitLimit.toHumanString()} (one conversion's timeout) for a distributed conversion slot (${distributed.backlogQueue.node.path}). ` +
              `Either uploads arrive faster than ${numberText(distributed.maxConcurrentConversions)} conversions at once can take them (raise maxConcurrentConversions), ` +
              `or the dispatcher (${distributed.dispatcher.node.path}) is not starting them: read its log group.`,
            threshold: waitLimit.toSeconds(),
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          });
        }
      }
    }
    if (launcher) {
      this.addAlarm('LauncherErrors', launcher.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), {
        description: `The training-job launcher (${launcher.launcher.node.path}) failed with an error instead of answering (rejections are answers, not errors). Read its log group.`,
      });
    }
    const lustre = props.fileSystem && LustreDatasetFileSystem.isLustreDatasetFileSystem(props.fileSystem) ? props.fileSystem : undefined;
    if (lustre) {
      this.addAlarm('FileSystemFreeStorage', lustre.metricFreeDataStoragePercent(), {
        description: `FSx for Lustre ${lustre.node.path} has less than ${numberText(freePercent)} % of its ${numberText(lustre.storageCapacityGiB)} GiB free. New dataset versions may not import; ` +
          'delete old versions (the retention job) or increase storageCapacityGiB.',
        threshold: freePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: platformDashboardRows({ ingestion, launcher, lustre }),
    });

    const aspect: IAspect = { visit: (node: IConstruct) => { if (node === Stack.of(this)) this.alarmOnDeadLetterQueues(); } };
    Aspects.of(Stack.of(this)).add(aspect);
  }

  /** Every alarm of this construct, the dead-letter queue alarms included once the stack is synthesized. */
  public get alarms(): cloudwatch.Alarm[] {
    return [...this.alarmList, ...this.deadLetterQueueAlarmList];
  }

  private addAlarm(id: string, metric: cloudwatch.IMetric, options: {
    description: string; threshold?: number; comparisonOperator?: cloudwatch.ComparisonOperator; evaluationPeriods?: number; treatMissingData?: cloudwatch.TreatMissingData;
  }): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: options.description,
      threshold: options.threshold ?? 1,
      comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.notify(alarm);
    this.alarmList.push(alarm);
    return alarm;
  }

  /** Sends the alarm's state changes to the topic, or says why it has no action. */
  private notify(alarm: cloudwatch.Alarm): void {
    if (this.alarmAction) {
      alarm.addAlarmAction(this.alarmAction);
      alarm.addOkAction(this.alarmAction);
    } else {
      acknowledgeFindings(alarm, ['NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction'],
        'No alarmTopic was given, so the alarm has no action: who is paged depends on the deployment. Pass alarmTopic (an SNS topic) or call addAlarmAction().');
    }
  }

  /** One alarm per dead-letter queue of the stack (an existing one on the queue gets the action instead of a twin). */
  private alarmOnDeadLetterQueues(): void {
    if (this.deadLetterQueuesFound) return;
    this.deadLetterQueuesFound = true;
    const stack = Stack.of(this);
    for (const { queue, catches } of findDeadLetterQueues(stack)) {
      const existing = existingQueueAlarm(stack, queue);
      if (existing) {
        if (this.alarmAction) {
          existing.addAlarmAction(this.alarmAction);
          existing.addOkAction(this.alarmAction);
        }
        this.deadLetterQueueAlarmList.push(existing);
        continue;
      }
      const owner = queueOwner(queue);
      const alarm = new cloudwatch.Alarm(this, `DeadLetters${stack.getLogicalId(queue)}`, {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensionsMap: { QueueName: queue.attrQueueName },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.minutes(1),
        }),
        alarmDescription: `Dead-letter queue ${owner.node.path} holds messages: ${catches.join('; ')}. ` +
          'Read the source\'s logs for the cause, fix it, then redrive the messages (SQS console: "Start DLQ redrive").',
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.notify(alarm);
      this.deadLetterQueueAlarmList.push(alarm);
    }
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 }));
  }
}
