import { DISTRIBUTED_SCHEMA_VERSION, type DistributedConversionInput } from '../../../contract/distributed-conversion';
import type { IngestionLogger } from '../ingestion/commit-version';
import { describe } from '../ingestion/failure';

/**
 * The dispatcher of queued distributed conversions: the only code that starts executions of the
 * state machine, one dispatcher at a time (reserved concurrency 1), so at most
 * `maxConcurrentConversions` run at once and the rest wait in the FIFO backlog queue — queued,
 * not failed. It runs when the ingestion function queues a conversion, when an execution ends
 * (EventBridge), and on a schedule (so a lost nudge only delays a start). Every start is named
 * after the version: a duplicate message or a retried run never starts a conversion twice.
 */

/** The executions the dispatcher started and has not seen end (`DISPATCH_LEDGER_KEY`). */
export interface DispatchLedger {
  readonly schemaVersion: 1;
  readonly started: LedgerEntry[];
}

export interface LedgerEntry {
  /** The version, which is also the execution's name. */
  readonly version: string;
  readonly startedAt: string;
}

export const EMPTY_LEDGER: DispatchLedger = { schemaVersion: 1, started: [] };

/** A conversion waiting in the backlog queue. */
export interface QueuedMessage {
  readonly body: string;
  readonly receiptHandle: string;
  readonly messageId: string;
}

/** What the dispatcher does with AWS (Step Functions, SQS, S3); tests run it against moto_server. */
export interface DispatchPorts {
  /** Names of the executions ListExecutions shows RUNNING (eventually consistent). */
  listRunning(): Promise<string[]>;
  /** The status of the execution named `name` (DescribeExecution), undefined when there is none. */
  status(name: string): Promise<string | undefined>;
  /** The ledger and its ETag (undefined when there is none yet). */
  readLedger(): Promise<{ ledger: DispatchLedger; etag?: string }>;
  /** Writes the ledger if it is still at `etag`; the new ETag, or undefined when another writer got there first. */
  writeLedger(ledger: DispatchLedger, etag: string | undefined): Promise<string | undefined>;
  /** Up to `max` (1–10) waiting conversions, oldest first per tenant. */
  receive(max: number): Promise<QueuedMessage[]>;
  /** StartExecution named `name`; `exists` when an execution of that name ran already (or runs with another input). */
  start(name: string, input: string): Promise<'started' | 'exists'>;
  /** Deletes a message once its conversion started. */
  remove(message: QueuedMessage): Promise<void>;
}

export interface DispatchOptions {
  readonly maxConcurrentConversions: number;
  readonly logger: IngestionLogger;
  readonly now: () => Date;
  /** Time left in the invocation (no message is taken with less than {@link DISPATCH_RESERVE_MS} left). */
  readonly remainingMs: () => number;
}

export interface DispatchOutcome {
  /** Executions running when the dispatcher finished (its own count). */
  readonly running: number;
  /** Versions started by this run. */
  readonly started: string[];
  /** Messages for versions already started or converted: removed, nothing started. */
  readonly duplicates: string[];
  /** Messages that are not a conversion: left for the dead-letter queue (after maxReceiveCount receives). */
  readonly unreadable: string[];
  /** True when another dispatcher changed the ledger meanwhile: this run stopped without starting more. */
  readonly superseded: boolean;
}

/** Time kept free at the end of an invocation: a start, a ledger write and a delete. */
export const DISPATCH_RESERVE_MS = 10_000;

/** Not a conversion: the body is not a DistributedConversionInput. */
export class QueuedConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueuedConversionError';
  }
}

/** Pure: the conversion a backlog message asks for; throws QueuedConversionError when it is none. */
export function parseQueuedConversion(body: string): DistributedConversionInput {
  let value: Partial<DistributedConversionInput>;
  try {
    value = JSON.parse(body) as Partial<DistributedConversionInput>;
  } catch {
    throw new QueuedConversionError(`the body is not JSON: ${JSON.stringify(body.slice(0, 120))}`);
  }
  const text = (field: unknown) => typeof field === 'string' && field.length > 0;
  if (value?.schemaVersion !== DISTRIBUTED_SCHEMA_VERSION || !text(value.datasetId) || !text(value.channel) ||
    !(typeof value.version === 'string' && /^[0-9A-Za-z_-]{1,80}$/.test(value.version)) || !text(value.upload?.bucket) || !text(value.upload?.key)) {
    throw new QueuedConversionError(`the body is not a distributed conversion input (schemaVersion ${DISTRIBUTED_SCHEMA_VERSION}, datasetId, channel, version, upload): ${JSON.stringify(body.slice(0, 120))}`);
  }
  return value as DistributedConversionInput;
}

/** Pure: how many more conversions may start while `running` run. */
export function freeSlots(maxConcurrentConversions: number, running: ReadonlySet<string>): number {
  return Math.max(0, maxConcurrentConversions - running.size);
}

/**
 * One dispatcher run: counts the running executions (those of the ledger by DescribeExecution,
 * plus any ListExecutions shows), then starts queued conversions while slots are free. Each start
 * is recorded in the ledger before StartExecution (a run that dies in between leaves an entry the
 * next run drops, since no such execution exists) and its message deleted after.
 */
export async function dispatchQueuedConversions(ports: DispatchPorts, options: DispatchOptions): Promise<DispatchOutcome> {
  const { logger } = options;
  const outcome = { started: [] as string[], duplicates: [] as string[], unreadable: [] as string[] };
  const read = await ports.readLedger();
  let etag = read.etag;
  const stillRunning: LedgerEntry[] = [];
  for (const entry of read.ledger.started) {
    if ((await ports.status(entry.version)) === 'RUNNING') stillRunning.push(entry);
  }
  const running = new Set([...stillRunning.map((entry) => entry.version), ...(await ports.listRunning())]);
  let ledger: DispatchLedger = { schemaVersion: 1, started: stillRunning };
  if (stillRunning.length !== read.ledger.started.length) {
    etag = await ports.writeLedger(ledger, etag);
    if (etag === undefined) return superseded(running, outcome, logger);
  }

  // Each message is looked at once per run (a received message is invisible for a while anyway).
  const seen = new Set<string>();
  while (freeSlots(options.maxConcurrentConversions, running) > 0 && options.remainingMs() > DISPATCH_RESERVE_MS) {
    const messages = (await ports.receive(Math.min(10, freeSlots(options.maxConcurrentConversions, running)))).filter((m) => !seen.has(m.messageId));
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.messageId);
      let input: DistributedConversionInput;
      try {
        input = parseQueuedConversion(message.body);
      } catch (error) {
        logger.error('A backlog message is not a distributed conversion; it stays for the dead-letter queue', { messageId: message.messageId, error: describe(error) });
        outcome.unreadable.push(message.messageId);
        continue;
      }
      const context = { tenant: input.tenant, datasetId: input.datasetId, channel: input.channel, version: input.version };
      if (running.has(input.version)) {
        logger.info('This conversion runs already; removing the duplicate message', context);
        await ports.remove(message);
        outcome.duplicates.push(input.version);
        continue;
      }
      ledger = { schemaVersion: 1, started: [...ledger.started, { version: input.version, startedAt: options.now().toISOString() }] };
      etag = await ports.writeLedger(ledger, etag);
      if (etag === undefined) return superseded(running, outcome, logger);
      const result = await ports.start(input.version, message.body);
      await ports.remove(message);
      if (result === 'exists') {
        logger.info('This conversion was started before; removing the duplicate message', context);
        outcome.duplicates.push(input.version);
        continue;
      }
      running.add(input.version);
      outcome.started.push(input.version);
      logger.info('Started a queued distributed conversion', { ...context, running: running.size, maxConcurrentConversions: options.maxConcurrentConversions });
    }
  }
  return { running: running.size, ...outcome, superseded: false };
}

function superseded(running: ReadonlySet<string>, outcome: Omit<DispatchOutcome, 'running' | 'superseded'>, logger: IngestionLogger): DispatchOutcome {
  logger.warn('The dispatch ledger changed under this run (another dispatcher ran); stopping without starting more');
  return { running: running.size, ...outcome, superseded: true };
}
