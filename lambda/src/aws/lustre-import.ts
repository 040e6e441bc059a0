import { CreateDataRepositoryTaskCommand, DescribeDataRepositoryTasksCommand, type FSxClient } from '@aws-sdk/client-fsx';

/** How a version failed to become visible on the file system. */
export enum FileSystemImportProblem {
  /** The import task did not finish within the wait. */
  TIMEOUT = 'import-timeout',
  /** The import task ended FAILED or CANCELED. */
  FAILED = 'import-failed',
}

/** The version's files could not be shown to be visible on the file system: no pointer may name it. */
export class FileSystemImportError extends Error {
  constructor(
    readonly problem: FileSystemImportProblem,
    message: string,
  ) {
    super(message);
    this.name = 'FileSystemImportError';
  }
}

/** Makes a version's files visible where training reads them, before any pointer names the version. */
export interface VersionVisibility {
  /**
   * Resolves once every object under `s3://<dataset bucket>/<prefix>` is visible; throws
   * FileSystemImportError. `budgetMs` bounds the wait further (what is left of the invocation).
   */
  waitUntilVisible(prefix: string, budgetMs?: number): Promise<void>;
}

export interface LustreImportOptions {
  /** The FSx for Lustre file system whose data repository association links the dataset bucket. */
  readonly fileSystemId: string;
  /** The dataset bucket (the association's data repository). */
  readonly bucket: string;
  /** Longest wait for the import task. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Between two status reads (FSx refreshes a task's status about every 30 s). Default 15 s. */
  readonly pollMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_POLL_MS = 15 * 1000;

/**
 * FSx for Lustre imports new S3 objects through its data repository association asynchronously
 * and with no latency guarantee, and there is no per-object "imported" signal. So a version is
 * made visible explicitly: an IMPORT_METADATA_FROM_REPOSITORY data repository task on exactly the
 * version's S3 prefix, polled (bounded) until it SUCCEEDED. Only one task may execute per file
 * system, so a busy file system (DataRepositoryTaskExecuting) is waited out within the same bound.
 */
export class LustreImport implements VersionVisibility {
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** How the current wait is bounded, for the timeout message. */
  private within = '';

  constructor(
    private readonly client: FSxClient,
    private readonly options: LustreImportOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async waitUntilVisible(prefix: string, budgetMs?: number): Promise<void> {
    const path = `s3://${this.options.bucket}/${prefix}`;
    const boundByInvocation = budgetMs !== undefined && budgetMs < this.timeoutMs;
    const waitMs = boundByInvocation ? Math.max(0, budgetMs) : this.timeoutMs;
    const within = boundByInvocation
      ? `the ${Math.round(waitMs / 1000)} s left of this invocation (its remaining time minus the reserve for moving the pointer and reporting)`
      : `${Math.round(waitMs / 1000)} s`;
    if (waitMs <= 0) {
      throw new FileSystemImportError(FileSystemImportProblem.TIMEOUT,
        `No time was left in this invocation to import ${path} onto FSx for Lustre file system ${this.options.fileSystemId}; the version is not made current. ` +
        'Convert smaller zips, or raise the function\'s timeout so the import fits after the conversion.');
    }
    const deadline = this.now() + waitMs;
    this.within = within;
    const taskId = await this.createTask(path, deadline);
    for (;;) {
      const { DataRepositoryTasks: tasks = [] } = await this.client.send(new DescribeDataRepositoryTasksCommand({ TaskIds: [taskId] }));
      const task = tasks[0];
      const lifecycle = task?.Lifecycle;
      if (lifecycle === 'SUCCEEDED') return;
      if (lifecycle === 'FAILED' || lifecycle === 'CANCELED') {
        const status = task?.Status;
        throw new FileSystemImportError(
          FileSystemImportProblem.FAILED,
          `The FSx for Lustre import task ${taskId} for ${path} ended ${lifecycle}` +
            `${status ? ` (${status.SucceededCount ?? 0} of ${status.TotalCount ?? '?'} files imported, ${status.FailedCount ?? 0} failed)` : ''}` +
            `${task?.FailureDetails?.Message ? `: ${task.FailureDetails.Message}` : ''}; the version is not made current. Check the file system's data repository event log.`,
        );
      }
      if (this.now() + this.pollMs > deadline) {
        throw new FileSystemImportError(
          FileSystemImportProblem.TIMEOUT,
          `The FSx for Lustre import task ${taskId} for ${path} did not finish within ${this.within} (last state ${lifecycle ?? 'unknown'}); the version is not made current, so no training job reads a partly imported dataset.`,
        );
      }
      await this.sleep(this.pollMs);
    }
  }

  private async createTask(path: string, deadline: number): Promise<string> {
    for (;;) {
      try {
        const { DataRepositoryTask: task } = await this.client.send(new CreateDataRepositoryTaskCommand({
          Type: 'IMPORT_METADATA_FROM_REPOSITORY',
          FileSystemId: this.options.fileSystemId,
          Paths: [path],
          Report: { Enabled: false },
        }));
        if (!task?.TaskId) throw new Error(`FSx returned no task id for the import of ${path}`);
        return task.TaskId;
      } catch (error) {
        if ((error as { name?: string }).name !== 'DataRepositoryTaskExecuting') throw error;
        if (this.now() + this.pollMs > deadline) {
          throw new FileSystemImportError(
            FileSystemImportProblem.TIMEOUT,
            `Another data repository task kept FSx for Lustre file system ${this.options.fileSystemId} busy for ${this.within}; the import of ${path} could not start and the version is not made current.`,
          );
        }
        await this.sleep(this.pollMs);
      }
    }
  }
}
