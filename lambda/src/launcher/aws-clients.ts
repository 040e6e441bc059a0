import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand, CreateTrainingJobCommandInput, DescribeTrainingJobCommand, ListTagsCommand, ListTrainingJobsCommand,
  SageMakerClient, StopTrainingJobCommand, TrainingJobStatus,
} from '@aws-sdk/client-sagemaker';
import { errorCode, isJobNotFound } from './aws-errors';
import { ObjectReader } from './dataset-resolution';

/** The training-job calls the launcher makes, as a narrow interface (tests inject fakes). */
export interface TrainingJobApi {
  /** The job's ARN and status, or undefined when no job has this name. */
  describe(name: string): Promise<{ readonly arn: string; readonly status: string } | undefined>;
  /** The job's tags. */
  listTags(arn: string): Promise<Record<string, string>>;
  /** Creates the job; returns its ARN. */
  create(input: CreateTrainingJobCommandInput): Promise<string>;
  /** The jobs whose name contains `nameContains` (at most `limit`, newest first). */
  listByName(nameContains: string, limit: number): Promise<Array<{ readonly name: string; readonly arn: string }>>;
  /** The names of the jobs that start with `namePrefix` and are InProgress or Stopping (they hold instances). */
  listActive(namePrefix: string): Promise<string[]>;
  /** Asks SageMaker to stop the job. */
  stop(name: string): Promise<void>;
}

/** The statuses of a job that still holds instances (counted against a tenant's concurrent-job quota). */
export const ACTIVE_STATUSES: readonly TrainingJobStatus[] = ['InProgress', 'Stopping'];

/** {@link TrainingJobApi} over the SDK client. Errors propagate unchanged (the caller classifies and retries). */
export class SageMakerTrainingJobApi implements TrainingJobApi {
  constructor(private readonly client: SageMakerClient) {}

  async describe(name: string): Promise<{ arn: string; status: string } | undefined> {
    try {
      const job = await this.client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      return { arn: job.TrainingJobArn ?? '', status: job.TrainingJobStatus ?? 'Unknown' };
    } catch (error) {
      if (isJobNotFound(error)) {
        return undefined;
      }
      throw error;
    }
  }

  async listTags(arn: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListTagsCommand({ ResourceArn: arn, NextToken: nextToken, MaxResults: 100 }));
      for (const tag of page.Tags ?? []) {
        if (tag.Key !== undefined) {
          tags[tag.Key] = tag.Value ?? '';
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return tags;
  }

  async create(input: CreateTrainingJobCommandInput): Promise<string> {
    const output = await this.client.send(new CreateTrainingJobCommand(input));
    return output.TrainingJobArn ?? '';
  }

  async listByName(nameContains: string, limit: number): Promise<Array<{ name: string; arn: string }>> {
    const jobs: Array<{ name: string; arn: string }> = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListTrainingJobsCommand({
        NameContains: nameContains, NextToken: nextToken, MaxResults: 100, SortBy: 'CreationTime', SortOrder: 'Descending',
      }));
      for (const job of page.TrainingJobSummaries ?? []) {
        jobs.push({ name: job.TrainingJobName ?? '', arn: job.TrainingJobArn ?? '' });
      }
      nextToken = page.NextToken;
    } while (nextToken && jobs.length < limit);
    return jobs.slice(0, limit);
  }

  async listActive(namePrefix: string): Promise<string[]> {
    const names: string[] = [];
    for (const status of ACTIVE_STATUSES) {
      let nextToken: string | undefined;
      do {
        // NameContains is a substring match: keep only names that start with the prefix.
        const page = await this.client.send(new ListTrainingJobsCommand({ StatusEquals: status, NameContains: namePrefix, MaxResults: 100, NextToken: nextToken }));
        for (const job of page.TrainingJobSummaries ?? []) {
          if (job.TrainingJobName?.startsWith(namePrefix)) {
            names.push(job.TrainingJobName);
          }
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return [...new Set(names)];
  }

  async stop(name: string): Promise<void> {
    await this.client.send(new StopTrainingJobCommand({ TrainingJobName: name }));
  }
}

/**
 * {@link ObjectReader} over the S3 client: NoSuchKey/404 is "absent". A tenant's role may list the
 * bucket only below its own prefixes, and S3 may answer a missing key with 403 then; a 403 is
 * "absent" only when listing the key itself finds nothing.
 */
export class S3ObjectReader implements ObjectReader {
  constructor(private readonly client: S3Client) {}

  async readText(bucket: string, key: string): Promise<string | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await object.Body!.transformToString('utf-8');
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (errorCode(error) === 'NoSuchKey' || errorCode(error) === 'NotFound' || status === 404) {
        return undefined;
      }
      if (errorCode(error) === 'AccessDenied' || status === 403) {
        const listed = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
        if (!(listed.Contents ?? []).some((object) => object.Key === key)) {
          return undefined;
        }
      }
      throw error;
    }
  }
}
