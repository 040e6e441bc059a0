import { Logger } from '@aws-lambda-powertools/logger';
import { DISTRIBUTED_SCHEMA_VERSION } from '../../contract/distributed-conversion';
import {
  dispatchQueuedConversions, EMPTY_LEDGER, freeSlots, parseQueuedConversion, QueuedConversionError,
  type DispatchLedger, type DispatchPorts, type QueuedMessage,
} from '../../lambda/src/distributed/dispatch';

const silent = new Logger({ serviceName: 'dispatch-test', logLevel: 'SILENT' });
const body = (version: string, tenant = 'vision') => JSON.stringify({
  schemaVersion: DISTRIBUTED_SCHEMA_VERSION, tenant, datasetId: `d-${version}`, channel: 'training', version,
  upload: { bucket: 'uploads', key: `uploads/${tenant}/d-${version}/training.zip`, eventTime: '2026-12-03T10:00:00.000Z', size: 50 * 1024 ** 3 }, attempt: 1,
});

/** Step Functions, the backlog and the ledger in memory; `listLag` hides the newest starts from ListExecutions (it is eventually consistent). */
class MemoryPorts implements DispatchPorts {
  readonly executions = new Map<string, string>();
  readonly backlog: QueuedMessage[] = [];
  readonly startCalls: string[] = [];
  ledger: DispatchLedger = EMPTY_LEDGER;
  ledgerEtag: string | undefined;
  listLag = 0;
  private etags = 0;
  private listedOrder: string[] = [];

  queue(...versions: string[]): void {
    for (const version of versions) this.backlog.push({ body: body(version), receiptHandle: `rh-${version}-${this.backlog.length}`, messageId: `m-${version}` });
  }
  async listRunning(): Promise<string[]> {
    const visible = this.listedOrder.slice(0, Math.max(0, this.listedOrder.length - this.listLag));
    return visible.filter((name) => this.executions.get(name) === 'RUNNING');
  }
  async status(name: string): Promise<string | undefined> {
    return this.executions.get(name);
  }
  async readLedger() {
    return { ledger: this.ledger, etag: this.ledgerEtag };
  }
  async writeLedger(ledger: DispatchLedger, etag: string | undefined): Promise<string | undefined> {
    if (etag !== this.ledgerEtag) return undefined;
    this.ledger = ledger;
    this.ledgerEtag = `"e${++this.etags}"`;
    return this.ledgerEtag;
  }
  /** Received messages stay invisible for the rest of the run, as SQS keeps them for the visibility timeout. */
  readonly inFlight = new Set<QueuedMessage>();
  async receive(max: number): Promise<QueuedMessage[]> {
    const visible = this.backlog.filter((m) => !this.inFlight.has(m)).slice(0, max);
    visible.forEach((m) => this.inFlight.add(m));
    return visible;
  }
  /** A new dispatcher run: what was in flight is visible again. */
  nextRun(): void {
    this.inFlight.clear();
  }
  async start(name: string): Promise<'started' | 'exists'> {
    this.startCalls.push(name);
    if (this.executions.has(name)) return this.executions.get(name) === 'RUNNING' ? 'started' : 'exists';
    this.executions.set(name, 'RUNNING');
    this.listedOrder.push(name);
    return 'started';
  }
  async remove(message: QueuedMessage): Promise<void> {
    const index = this.backlog.indexOf(message);
    if (index >= 0) this.backlog.splice(index, 1);
  }
  running(): string[] {
    return [...this.executions].filter(([, status]) => status === 'RUNNING').map(([name]) => name);
  }
}

const dispatch = (ports: DispatchPorts, max = 2, remainingMs = 60_000) => {
  if (ports instanceof MemoryPorts) ports.nextRun();
  return dispatchQueuedConversions(ports, { maxConcurrentConversions: max, logger: silent, now: () => new Date('2026-12-03T10:00:00Z'), remainingMs: () => remainingMs });
};

describe('freeSlots', () => {
  test.each([[2, [], 2], [2, ['a'], 1], [2, ['a', 'b'], 0], [2, ['a', 'b', 'c'], 0], [5, ['a'], 4]])('max %i with %j running → %i', (max, running, free) => {
    expect(freeSlots(max, new Set(running))).toBe(free);
  });
});

describe('parseQueuedConversion', () => {
  test('a hand-off body is a conversion', () => {
    expect(parseQueuedConversion(body('v20261203T100000Z-abc'))).toMatchObject({ version: 'v20261203T100000Z-abc', datasetId: 'd-v20261203T100000Z-abc' });
  });
  test.each([
    ['not JSON', 'hello'],
    ['another schema version', JSON.stringify({ ...JSON.parse(body('v1')), schemaVersion: 2 })],
    ['no version', JSON.stringify({ ...JSON.parse(body('v1')), version: undefined })],
    ['a version that is no execution name', JSON.stringify({ ...JSON.parse(body('v1')), version: 'a b/c' })],
    ['no upload key', JSON.stringify({ ...JSON.parse(body('v1')), upload: { bucket: 'b' } })],
  ])('%s is refused', (_name, text) => {
    expect(() => parseQueuedConversion(text)).toThrow(QueuedConversionError);
  });
});

describe('dispatchQueuedConversions', () => {
  test('starts queued conversions up to the limit; the rest stay queued until one ends', async () => {
    const ports = new MemoryPorts();
    ports.queue('v1', 'v2', 'v3', 'v4');
    expect(await dispatch(ports)).toMatchObject({ started: ['v1', 'v2'], running: 2, superseded: false });
    expect(ports.backlog.map((m) => JSON.parse(m.body).version)).toEqual(['v3', 'v4']);
    expect(ports.ledger.started.map((e) => e.version)).toEqual(['v1', 'v2']);

    expect(await dispatch(ports)).toMatchObject({ started: [], running: 2 });
    expect(ports.backlog).toHaveLength(2);

    ports.executions.set('v1', 'SUCCEEDED');
    expect(await dispatch(ports)).toMatchObject({ started: ['v3'], running: 2 });
    expect(ports.ledger.started.map((e) => e.version)).toEqual(['v2', 'v3']);
    expect(ports.running().sort()).toEqual(['v2', 'v3']);
  });

  test('never more than the limit although ListExecutions has not caught up with the newest starts', async () => {
    const ports = new MemoryPorts();
    ports.listLag = 10; // ListExecutions shows none of them
    ports.queue('v1', 'v2', 'v3');
    await dispatch(ports);
    await dispatch(ports);
    await dispatch(ports);
    expect(ports.running()).toEqual(['v1', 'v2']);
  });

  test('executions ListExecutions shows that the dispatcher did not start (e.g. started by hand) count too', async () => {
    const ports = new MemoryPorts();
    await ports.start('manual');
    ports.queue('v1', 'v2');
    expect(await dispatch(ports)).toMatchObject({ started: ['v1'], running: 2 });
  });

  test('a duplicate of a running conversion is removed without a start; one of a finished conversion too', async () => {
    const ports = new MemoryPorts();
    ports.queue('v1');
    await dispatch(ports);
    ports.queue('v1');
    expect(await dispatch(ports)).toMatchObject({ started: [], duplicates: ['v1'] });
    expect(ports.startCalls).toEqual(['v1']);
    ports.executions.set('v1', 'SUCCEEDED');
    ports.queue('v1');
    expect(await dispatch(ports)).toMatchObject({ started: [], duplicates: ['v1'], running: 0 });
    expect(ports.backlog).toEqual([]);
    expect(ports.running()).toEqual([]);
  });

  test('a start recorded in the ledger whose StartExecution never happened (the run died) is dropped, and the message starts later', async () => {
    const ports = new MemoryPorts();
    ports.ledger = { schemaVersion: 1, started: [{ version: 'v1', startedAt: '2026-12-03T09:59:00.000Z' }] };
    ports.ledgerEtag = '"e0"';
    ports.queue('v1');
    expect(await dispatch(ports, 1)).toMatchObject({ started: ['v1'], running: 1 });
  });

  test('an unreadable message is left for the dead-letter queue; the others still start', async () => {
    const ports = new MemoryPorts();
    ports.backlog.push({ body: 'not a conversion', receiptHandle: 'rh-x', messageId: 'm-x' });
    ports.queue('v1');
    const outcome = await dispatch(ports);
    expect(outcome).toMatchObject({ unreadable: ['m-x'], started: ['v1'] });
    expect(ports.backlog.map((m) => m.messageId)).toEqual(['m-x']);
  });

  test('another dispatcher changed the ledger: this run stops without starting', async () => {
    const ports = new MemoryPorts();
    ports.queue('v1');
    const raced: DispatchPorts = Object.assign(Object.create(ports) as MemoryPorts, {
      writeLedger: async () => undefined,
    });
    expect(await dispatch(raced)).toMatchObject({ started: [], superseded: true });
    expect(ports.startCalls).toEqual([]);
  });

  test('with too little time left no message is taken', async () => {
    const ports = new MemoryPorts();
    ports.queue('v1');
    expect(await dispatch(ports, 2, 5_000)).toMatchObject({ started: [] });
    expect(ports.backlog).toHaveLength(1);
  });
});
