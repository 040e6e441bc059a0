import {
  CreateTrainingJobCommand, CreateTrainingJobCommandInput, DescribeTrainingJobCommand, ListTagsCommand, ListTrainingJobsCommand, SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { SageMakerTrainingJobApi, TrainingJobApi } from '../../../lambda/src/launcher';

type Operation = 'create' | 'describe' | 'listTags' | 'list';

/** An AWS-style error. */
export function awsError(name: string, message = name, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

/**
 * A SageMaker that behaves like the real service where moto does not: a duplicate name is
 * ResourceInUse, DescribeTrainingJob on a missing job is ValidationException "Requested resource
 * not found.". Failures can be scripted per call. {@link api} puts the launcher's real SDK adapter
 * (SageMakerTrainingJobApi) in front of it, so error classification is exercised too.
 */
export class FakeSageMaker {
  readonly jobs = new Map<string, { arn: string; input: CreateTrainingJobCommandInput; tags: Record<string, string>; status: string }>();
  readonly calls: string[] = [];
  /** Errors thrown by the next calls of an operation for a job name ('*' for any job). */
  readonly failures: Array<{ operation: Operation; name: string; error: Error; times: number }> = [];
  /** Runs before create checks for duplicates (simulates a concurrent creator). */
  beforeCreate?: (input: CreateTrainingJobCommandInput) => void;
  inFlight = 0;
  maxInFlight = 0;

  /** The launcher's SDK adapter over a client whose `send` this fake answers. */
  api(): TrainingJobApi {
    const client = {
      send: async (command: unknown) => {
        if (command instanceof CreateTrainingJobCommand) return { TrainingJobArn: await this.create(command.input) };
        if (command instanceof DescribeTrainingJobCommand) {
          const job = await this.describe(command.input.TrainingJobName!);
          return { TrainingJobName: command.input.TrainingJobName, TrainingJobArn: job.arn, TrainingJobStatus: job.status };
        }
        if (command instanceof ListTagsCommand) {
          return { Tags: Object.entries(await this.listTags(command.input.ResourceArn!)).map(([Key, Value]) => ({ Key, Value })) };
        }
        if (command instanceof ListTrainingJobsCommand) {
          if (command.input.StatusEquals) {
            this.calls.push(`listActive ${command.input.NameContains}`);
            return { TrainingJobSummaries: [...this.jobs.entries()]
              .filter(([name, job]) => job.status === command.input.StatusEquals && name.includes(command.input.NameContains ?? ''))
              .map(([name, job]) => ({ TrainingJobName: name, TrainingJobArn: job.arn })) };
          }
          return { TrainingJobSummaries: (await this.list(command.input.NameContains ?? '')).map((job) => ({ TrainingJobName: job.name, TrainingJobArn: job.arn })) };
        }
        if (command instanceof StopTrainingJobCommand) {
          this.calls.push(`stop ${command.input.TrainingJobName}`);
          const job = this.jobs.get(command.input.TrainingJobName!);
          if (!job) throw awsError('ValidationException', 'Requested resource not found.');
          if (job.status !== 'InProgress') throw awsError('ValidationException', `The job status is ${job.status}.`);
          job.status = 'Stopping';
          return {};
        }
        throw new Error(`unexpected command ${(command as object).constructor.name}`);
      },
    };
    return new SageMakerTrainingJobApi(client as unknown as SageMakerClient);
  }

  fail(operation: Operation, name: string, error: Error, times = 1): this {
    this.failures.push({ operation, name, error, times });
    return this;
  }

  /** Adds a job as if someone created it earlier. */
  seed(input: CreateTrainingJobCommandInput, status = 'InProgress'): void {
    this.jobs.set(input.TrainingJobName!, { arn: this.arnOf(input.TrainingJobName!), input, tags: Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key!, tag.Value!])), status });
  }

  arnOf(name: string): string {
    return `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name.toLowerCase()}`;
  }

  async describe(name: string) {
    await this.enter('describe', name);
    try {
      const job = this.jobs.get(name);
      if (!job) throw awsError('ValidationException', 'Requested resource not found.');
      return { arn: job.arn, status: job.status };
    } finally {
      this.inFlight--;
    }
  }

  async listTags(arn: string) {
    await this.enter('listTags', arn);
    try {
      const job = [...this.jobs.values()].find((candidate) => candidate.arn === arn);
      if (!job) throw awsError('ValidationException', 'Resource does not exist');
      return { ...job.tags };
    } finally {
      this.inFlight--;
    }
  }

  /** ListTrainingJobs with NameContains (SageMaker matches case-insensitively), newest first. */
  async list(nameContains: string) {
    await this.enter('list', nameContains);
    try {
      return [...this.jobs.entries()].filter(([name]) => name.toLowerCase().includes(nameContains.toLowerCase()))
        .reverse().map(([name, job]) => ({ name, arn: job.arn }));
    } finally {
      this.inFlight--;
    }
  }

  async create(input: CreateTrainingJobCommandInput) {
    const name = input.TrainingJobName!;
    await this.enter('create', name);
    try {
      this.beforeCreate?.(input);
      if (this.jobs.has(name)) {
        throw awsError('ResourceInUse', 'Training job names must be unique within an AWS account and region, and a training job with this name already exists');
      }
      this.seed(input);
      return this.arnOf(name);
    } finally {
      this.inFlight--;
    }
  }

  /** Calls of one operation. */
  count(operation: string): number {
    return this.calls.filter((call) => call.startsWith(`${operation} `)).length;
  }

  private async enter(operation: Operation, name: string): Promise<void> {
    this.calls.push(`${operation} ${name}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    const failure = this.failures.find((f) => f.operation === operation && (f.name === '*' || f.name === name || name.endsWith(f.name)) && f.times > 0);
    if (failure) {
      failure.times--;
      this.inFlight--;
      throw failure.error;
    }
  }
}
