import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand, CreateTrainingJobCommandInput, DescribeTrainingJobCommand, ListTagsCommand, ListTrainingJobsCommand, SageMakerClient,
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
}

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
}

/** {@link ObjectReader} over the S3 client: NoSuchKey/404 is "absent". */
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
      throw error;
    }
  }
}
