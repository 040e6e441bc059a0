import { CreateDataRepositoryTaskCommand, DescribeDataRepositoryTasksCommand, type FSxClient } from '@aws-sdk/client-fsx';
import { FileSystemImportError, FileSystemImportProblem, LustreImport } from '../../lambda/src/aws/lustre-import';
import { checkAgainstModel, loadBotocoreModel, type ServiceModel } from '../launcher/support/botocore-model';

const { model, problem } = loadBotocoreModel('fsx');
if (!model && process.env.CI === 'true') throw new Error(`${problem}; install it with: pip install botocore (CI=true: the FSx model checks must run)`);
if (!model) console.warn(`\n*** SKIPPING the FSx request checks: ${problem}; install it with: pip install botocore ***\n`);
const describeWithModel = model ? describe : describe.skip;

type Lifecycle = 'PENDING' | 'EXECUTING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

/**
 * A fake FSx: every request is checked against botocore's FSx model (the real API's required
 * members, lengths, enums and patterns) before it is answered from a script of task states.
 */
class FakeFsx {
  readonly requests: { operation: string; input: Record<string, unknown> }[] = [];
  busyFor = 0;
  constructor(private readonly lifecycles: Lifecycle[], private readonly model: ServiceModel) {}

  async send(command: { input: Record<string, unknown> }): Promise<unknown> {
    const operation = command instanceof CreateDataRepositoryTaskCommand ? 'CreateDataRepositoryTask' : command instanceof DescribeDataRepositoryTasksCommand ? 'DescribeDataRepositoryTasks' : 'unknown';
    this.requests.push({ operation, input: command.input });
    const shape = this.model.operations[operation]?.input?.shape;
    const problems = shape ? checkAgainstModel(this.model, shape, command.input) : [`operation ${operation} is not in the FSx model`];
    if (problems.length > 0) throw Object.assign(new Error(problems.join('; ')), { name: 'BadRequest' });
    if (operation === 'CreateDataRepositoryTask') {
      if (this.busyFor-- > 0) throw Object.assign(new Error('An existing task is currently executing'), { name: 'DataRepositoryTaskExecuting' });
      return { DataRepositoryTask: { TaskId: 'task-0123456789abcdef0', Lifecycle: 'PENDING', Type: 'IMPORT_METADATA_FROM_REPOSITORY' } };
    }
    const lifecycle = this.lifecycles.length > 1 ? this.lifecycles.shift()! : this.lifecycles[0];
    return {
      DataRepositoryTasks: [{
        TaskId: 'task-0123456789abcdef0', Lifecycle: lifecycle, Type: 'IMPORT_METADATA_FROM_REPOSITORY',
        Status: { TotalCount: 12, SucceededCount: lifecycle === 'FAILED' ? 10 : 12, FailedCount: lifecycle === 'FAILED' ? 2 : 0 },
        ...(lifecycle === 'FAILED' ? { FailureDetails: { Message: 'Some files could not be imported' } } : {}),
      }],
    };
  }
}

describeWithModel('LustreImport: the pointer waits until the version is visible on FSx for Lustre', () => {
  const prefix = 'datasets/cats/training/v20260101T000000Z-0123456789ab/';
  const make = (lifecycles: Lifecycle[], timeoutMs = 60_000) => {
    const fsx = new FakeFsx(lifecycles, model!);
    let clock = 0;
    const sleeps: number[] = [];
    const lustre = new LustreImport(fsx as unknown as FSxClient, {
      fileSystemId: 'fs-0123456789abcdef0', bucket: 'platform-datasets', timeoutMs, pollMs: 15_000,
      now: () => clock, sleep: async (ms) => { sleeps.push(ms); clock += ms; },
    });
    return { fsx, lustre, sleeps };
  };

  test('imports exactly the version\'s S3 prefix (IMPORT_METADATA_FROM_REPOSITORY, no report) and polls until SUCCEEDED', async () => {
    const { fsx, lustre, sleeps } = make(['PENDING', 'EXECUTING', 'SUCCEEDED']);
    await lustre.waitUntilVisible(prefix);
    expect(fsx.requests[0]).toEqual({ operation: 'CreateDataRepositoryTask', input: { Type: 'IMPORT_METADATA_FROM_REPOSITORY', FileSystemId: 'fs-0123456789abcdef0', Paths: [`s3://platform-datasets/${prefix}`], Report: { Enabled: false } } });
    expect(fsx.requests.slice(1)).toEqual(Array(3).fill({ operation: 'DescribeDataRepositoryTasks', input: { TaskIds: ['task-0123456789abcdef0'] } }));
    expect(sleeps).toEqual([15_000, 15_000]);
  });

  test('a task that does not finish in time is an import-timeout, after bounded polling', async () => {
    const { fsx, lustre } = make(['EXECUTING'], 60_000);
    const error = await lustre.waitUntilVisible(prefix).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(FileSystemImportError);
    expect(error).toMatchObject({ problem: FileSystemImportProblem.TIMEOUT, message: expect.stringMatching(/task-0123456789abcdef0 .* did not finish within 60 s \(last state EXECUTING\); the version is not made current/) });
    expect(fsx.requests.filter((r) => r.operation === 'DescribeDataRepositoryTasks').length).toBe(5); // at 0, 15, 30, 45 and 60 s
  });

  test('a FAILED task (some files not imported) is an import-failed naming the counts and FSx\'s message', async () => {
    const { lustre } = make(['EXECUTING', 'FAILED']);
    await expect(lustre.waitUntilVisible(prefix)).rejects.toMatchObject({
      problem: FileSystemImportProblem.FAILED,
      message: expect.stringMatching(/ended FAILED \(10 of 12 files imported, 2 failed\): Some files could not be imported/),
    });
  });

  test('a file system busy with another task is waited out within the same bound, then imported', async () => {
    const busy = make(['SUCCEEDED']);
    busy.fsx.busyFor = 2;
    await busy.lustre.waitUntilVisible(prefix);
    expect(busy.fsx.requests.map((r) => r.operation)).toEqual(['CreateDataRepositoryTask', 'CreateDataRepositoryTask', 'CreateDataRepositoryTask', 'DescribeDataRepositoryTasks']);

    const stuck = make(['SUCCEEDED'], 30_000);
    stuck.fsx.busyFor = 100;
    await expect(stuck.lustre.waitUntilVisible(prefix)).rejects.toMatchObject({ problem: FileSystemImportProblem.TIMEOUT, message: expect.stringMatching(/kept FSx for Lustre file system fs-0123456789abcdef0 busy/) });
  });

  test('the wait is bounded by what is left of the invocation: a shorter budget ends it sooner, and names why', async () => {
    const { fsx, lustre } = make(['EXECUTING'], 600_000);
    await expect(lustre.waitUntilVisible(prefix, 31_000)).rejects.toMatchObject({
      problem: FileSystemImportProblem.TIMEOUT,
      message: expect.stringMatching(/did not finish within the 31 s left of this invocation \(its remaining time minus the reserve/),
    });
    expect(fsx.requests.filter((r) => r.operation === 'DescribeDataRepositoryTasks').length).toBe(3); // at 0, 15 and 30 s, not for 10 minutes

    const late = make(['SUCCEEDED'], 600_000);
    await expect(late.lustre.waitUntilVisible(prefix, -5_000)).rejects.toMatchObject({ problem: FileSystemImportProblem.TIMEOUT, message: expect.stringMatching(/^No time was left in this invocation/) });
    expect(late.fsx.requests).toEqual([]);

    const generous = make(['EXECUTING', 'SUCCEEDED'], 60_000);
    await generous.lustre.waitUntilVisible(prefix, 3_600_000); // the configured bound stays the upper limit
    expect(generous.fsx.requests.map((r) => r.operation)).toEqual(['CreateDataRepositoryTask', 'DescribeDataRepositoryTasks', 'DescribeDataRepositoryTasks']);
  });

  test('the fake refuses what the real API refuses (the model check works)', async () => {
    const fsx = new FakeFsx(['SUCCEEDED'], model!);
    await expect(fsx.send(new CreateDataRepositoryTaskCommand({ Type: 'IMPORT_METADATA_FROM_REPOSITORY', FileSystemId: 'not-a-file-system', Report: { Enabled: false } }) as never))
      .rejects.toThrow(/FileSystemId: "not-a-file-system" does not match/);
  });
});
