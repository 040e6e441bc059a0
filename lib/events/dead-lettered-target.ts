import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { queueEncryption } from '../encryption/encryption-props';
import { acknowledgeFindings } from '../nag/acknowledge';

const DEAD_LETTER_QUEUE_ID = 'DeadLetterQueue';

/**
 * `target` with a dead-letter queue: events EventBridge cannot deliver (after its retries) land in
 * an encrypted (with `encryptionKey`, or SQS-managed keys), SSL-only queue that is a child of the rule, instead of being dropped. A target
 * that already has a dead-letter queue (e.g. `new targets.SqsQueue(queue, { deadLetterQueue })`)
 * keeps it.
 */
export function withDeadLetterQueue(target: events.IRuleTarget, encryptionKey?: kms.IKey): events.IRuleTarget {
  return {
    bind(rule: events.IRule, id?: string): events.RuleTargetConfig {
      const config = target.bind(rule, id);
      if (config.deadLetterConfig) {
        return config;
      }
      const queue = ruleDeadLetterQueue(rule, encryptionKey);
      return { ...config, deadLetterConfig: { arn: queue.queueArn } };
    },
  };
}

/** The rule's own dead-letter queue, created on first use and shared by its targets. */
function ruleDeadLetterQueue(rule: events.IRule, encryptionKey?: kms.IKey): sqs.IQueue {
  const existing = rule.node.tryFindChild(DEAD_LETTER_QUEUE_ID) as sqs.Queue | undefined;
  if (existing) {
    return existing;
  }
  const queue = new sqs.Queue(rule, DEAD_LETTER_QUEUE_ID, {
    ...queueEncryption(encryptionKey),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeFindings(queue, ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
    'This queue is itself the dead-letter queue of the rule\'s targets (events EventBridge could not deliver); a dead-letter queue of a dead-letter queue adds nothing.');
  addToDeadLetterQueueResourcePolicy(rule, queue);
  if (encryptionKey) allowEventBridgeToEncrypt(encryptionKey);
  return queue;
}

/**
 * EventBridge writes dead-lettered events to SQS itself: a queue encrypted with a customer managed
 * key needs the key to admit EventBridge (a key-policy statement; aws-cdk-lib adds one only for
 * `targets.SqsQueue` targets, not for dead-letter queues).
 */
export function allowEventBridgeToEncrypt(key: kms.IKey): void {
  key.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:GenerateDataKey', 'kms:Decrypt');
}
