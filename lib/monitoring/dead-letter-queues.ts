import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';

/** A dead-letter queue of a stack and what it catches. */
export interface DeadLetterQueueUse {
  /** The queue (the L1 resource). */
  readonly queue: sqs.CfnQueue;
  /** What sends to it, as construct paths: "the redrive policy of …", "failed async invocations of …", "undeliverable events of …". */
  readonly catches: string[];
}

/**
 * Every SQS queue of `stack` that is a dead-letter queue: the redrive target of another queue or
 * of an SNS subscription, the dead-letter queue of a Lambda function's asynchronous invocations or
 * of an EventBridge target, or the on-failure destination of an event source mapping or an
 * asynchronous invocation config. Read from the L1 resources, so queues the library did not create
 * (a consumer's, aws-cdk-lib's) count too.
 */
export function findDeadLetterQueues(stack: Stack): DeadLetterQueueUse[] {
  const queues = new Map<string, sqs.CfnQueue>();
  for (const node of stack.node.findAll()) {
    if (node instanceof sqs.CfnQueue && Stack.of(node) === stack) queues.set(stack.getLogicalId(node), node);
  }
  const uses = new Map<string, string[]>();
  const note = (arn: unknown, what: string) => {
    const logicalId = getAttArnOf(stack.resolve(arn));
    if (logicalId && queues.has(logicalId)) uses.set(logicalId, [...(uses.get(logicalId) ?? []), what]);
  };
  for (const node of stack.node.findAll()) {
    if (!(node instanceof CfnResource) || Stack.of(node) !== stack) continue;
    const owner = node.node.scope?.node.path ?? node.node.path;
    if (node instanceof sqs.CfnQueue) {
      note((stack.resolve(node.redrivePolicy) as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn, `messages queue ${owner} could not deliver`);
    } else if (node instanceof lambda.CfnFunction) {
      note((stack.resolve(node.deadLetterConfig) as { targetArn?: unknown } | undefined)?.targetArn, `failed asynchronous invocations of ${owner}`);
    } else if (node instanceof lambda.CfnEventInvokeConfig) {
      note((stack.resolve(node.destinationConfig) as { onFailure?: { destination?: unknown } } | undefined)?.onFailure?.destination, `failed asynchronous invocations of ${owner}`);
    } else if (node instanceof lambda.CfnEventSourceMapping) {
      note((stack.resolve(node.destinationConfig) as { onFailure?: { destination?: unknown } } | undefined)?.onFailure?.destination, `records event source mapping ${owner} could not process`);
    } else if (node instanceof events.CfnRule) {
      for (const target of (stack.resolve(node.targets) as Array<{ deadLetterConfig?: { arn?: unknown } }> | undefined) ?? []) {
        note(target.deadLetterConfig?.arn, `events rule ${owner} could not deliver`);
      }
    } else if (node instanceof sns.CfnSubscription) {
      note((stack.resolve(node.redrivePolicy) as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn, `messages subscription ${owner} could not deliver`);
    }
  }
  return [...uses].map(([logicalId, catches]) => ({ queue: queues.get(logicalId)!, catches: [...new Set(catches)] }));
}

/** An existing alarm of `stack` on the queue's visible messages (e.g. DatasetIngestion's deadLetterAlarm). */
export function existingQueueAlarm(stack: Stack, queue: sqs.CfnQueue): cloudwatch.Alarm | undefined {
  const queueName = JSON.stringify(stack.resolve(queue.attrQueueName));
  return stack.node.findAll().find((node): node is cloudwatch.Alarm => node instanceof cloudwatch.Alarm && Stack.of(node) === stack &&
    node.metric instanceof cloudwatch.Metric && node.metric.namespace === 'AWS/SQS' && node.metric.metricName === 'ApproximateNumberOfMessagesVisible' &&
    JSON.stringify(stack.resolve(node.metric.dimensions?.QueueName)) === queueName);
}

function getAttArnOf(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return getAtt && getAtt[1] === 'Arn' ? getAtt[0] : undefined;
}

/** The construct that owns a queue's L1 (the L2 `sqs.Queue` when there is one). */
export function queueOwner(queue: sqs.CfnQueue): IConstruct {
  return queue.node.scope instanceof sqs.Queue ? queue.node.scope : queue;
}
