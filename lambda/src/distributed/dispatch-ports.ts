import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BACKLOG_VISIBILITY_SECONDS, DISPATCH_LEDGER_KEY } from '../../../contract/distributed-conversion';
import { isConditionalConflict, isNotFound } from '../aws/s3-errors';
import { EMPTY_LEDGER, type DispatchLedger, type DispatchPorts, type QueuedMessage } from './dispatch';

/** Where the dispatcher's ports point. */
export interface DispatchTargets {
  readonly stateMachineArn: string;
  readonly backlogQueueUrl: string;
  /** The dataset bucket, which holds the ledger below `ingestion-work/`. */
  readonly datasetBucket: string;
}

/** The dispatcher's ports on Step Functions, SQS and S3. */
export class AwsDispatchPorts implements DispatchPorts {
  constructor(
    private readonly clients: { readonly sfn: SFNClient; readonly sqs: SQSClient; readonly s3: S3Client },
    private readonly targets: DispatchTargets,
  ) {}

  async listRunning(): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    // Bounded: 10 pages of 100 is far above any sensible maxConcurrentConversions.
    for (let page = 0; page < 10; page++) {
      const listed = await this.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: this.targets.stateMachineArn, statusFilter: 'RUNNING', maxResults: 100, nextToken }));
      names.push(...(listed.executions ?? []).map((execution) => execution.name!).filter(Boolean));
      nextToken = listed.nextToken;
      if (!nextToken) break;
    }
    return names;
  }

  async status(name: string): Promise<string | undefined> {
    try {
      const execution = await this.clients.sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(this.targets.stateMachineArn, name) }));
      return execution.status;
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
  }

  async readLedger(): Promise<{ ledger: DispatchLedger; etag?: string }> {
    try {
      const object = await this.clients.s3.send(new GetObjectCommand({ Bucket: this.targets.datasetBucket, Key: DISPATCH_LEDGER_KEY }));
      const text = await object.Body!.transformToString();
      let ledger = EMPTY_LEDGER;
      try {
        const value = JSON.parse(text) as DispatchLedger;
        if (value?.schemaVersion === 1 && Array.isArray(value.started)) ledger = value;
      } catch {
        // A damaged ledger is replaced; ListExecutions still counts what runs.
      }
      return { ledger, etag: object.ETag };
    } catch (error) {
      if (isNotFound(error)) return { ledger: EMPTY_LEDGER };
      throw error;
    }
  }

  async writeLedger(ledger: DispatchLedger, etag: string | undefined): Promise<string | undefined> {
    try {
      const written = await this.clients.s3.send(new PutObjectCommand({
        Bucket: this.targets.datasetBucket,
        Key: DISPATCH_LEDGER_KEY,
        Body: `${JSON.stringify(ledger, null, 2)}\n`,
        ContentType: 'application/json',
        ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
      }));
      return written.ETag;
    } catch (error) {
      if (isConditionalConflict(error)) return undefined;
      throw error;
    }
  }

  async receive(max: number): Promise<QueuedMessage[]> {
    const received = await this.clients.sqs.send(new ReceiveMessageCommand({
      QueueUrl: this.targets.backlogQueueUrl,
      MaxNumberOfMessages: max,
      VisibilityTimeout: BACKLOG_VISIBILITY_SECONDS,
      WaitTimeSeconds: 0,
    }));
    return (received.Messages ?? []).map((message) => ({ body: message.Body ?? '', receiptHandle: message.ReceiptHandle!, messageId: message.MessageId! }));
  }

  async start(name: string, input: string): Promise<'started' | 'exists'> {
    try {
      await this.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: this.targets.stateMachineArn, name, input }));
      return 'started';
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return 'exists';
      throw error;
    }
  }

  async remove(message: QueuedMessage): Promise<void> {
    await this.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: this.targets.backlogQueueUrl, ReceiptHandle: message.receiptHandle }));
  }
}

/** The ARN of the execution named `name` of `stateMachineArn` (`…:stateMachine:<m>` → `…:execution:<m>:<name>`). */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
