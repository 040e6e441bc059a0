import {
  CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, ListPartsCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  DescribeTrainingJobCommand, DescribeTrainingJobCommandOutput, ListTagsCommand, ListTrainingJobsCommand, SageMakerClient, StopTrainingJobCommand,
  TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { errorCode, isJobNotFound } from '../launcher/aws-errors';
import type { LaunchResponse } from '../../../contract/launch-request';
import type { LauncherEvent } from '../../../contract/launcher';
import { mapConcurrent } from '../launcher/launch';
import type {
  LaunchPort, LogEvent, LogStore, ObjectStore, StoredObject, TrainingJobListing, TrainingJobRecord, TrainingJobStore,
} from './ports';

function isMissing(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return ['NoSuchKey', 'NotFound', 'NoSuchUpload'].includes(errorCode(error)) || status === 404;
}

/** {@link ObjectStore} over the S3 client. */
export class S3ObjectStore implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  async listLevel(bucket: string, prefix: string): Promise<{ objects: StoredObject[]; prefixes: string[] }> {
    const objects: StoredObject[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        objects.push({ key: object.Key!, size: object.Size ?? 0, lastModified: (object.LastModified ?? new Date(0)).toISOString(), ...(object.ETag ? { etag: object.ETag } : {}) });
      }
      prefixes.push(...(page.CommonPrefixes ?? []).map((common) => common.Prefix!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { objects, prefixes };
  }

  async head(bucket: string, key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { key, size: head.ContentLength ?? 0, lastModified: (head.LastModified ?? new Date(0)).toISOString(), ...(head.ETag ? { etag: head.ETag } : {}) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async readText(bucket: string, key: string): Promise<string | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await object.Body!.transformToString('utf-8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  presignGet(bucket: string, key: string, expiresIn: number, downloadName?: string): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({
      Bucket: bucket, Key: key,
      ...(downloadName ? { ResponseContentDisposition: `attachment; filename="${downloadName.replace(/"/g, '')}"` } : {}),
    }), { expiresIn });
  }

  async createMultipartUpload(bucket: string, key: string, metadata: Record<string, string>): Promise<string> {
    const output = await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata, ContentType: 'application/zip' }));
    return output.UploadId!;
  }

  presignUploadPart(bucket: string, key: string, uploadId: string, partNumber: number, expiresIn: number): Promise<string> {
    return getSignedUrl(this.client, new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }), { expiresIn });
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<{ partNumber: number; etag: string; size: number }[] | undefined> {
    const parts: { partNumber: number; etag: string; size: number }[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
        for (const part of page.Parts ?? []) {
          parts.push({ partNumber: part.PartNumber!, etag: part.ETag!, size: part.Size ?? 0 });
        }
        marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
      } while (marker);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<string> {
    const output = await this.client.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
    }));
    return output.ETag ?? '';
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  }
}

/** {@link TrainingJobStore} over the SageMaker client. */
export class SageMakerJobStore implements TrainingJobStore {
  constructor(private readonly client: SageMakerClient) {}

  async listByNamePrefix(namePrefix: string, limit: number): Promise<TrainingJobListing[]> {
    const summaries: TrainingJobSummary[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListTrainingJobsCommand({
        NameContains: namePrefix, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100, NextToken: token,
      }));
      // NameContains is a substring match: keep the names that start with the prefix.
      summaries.push(...(page.TrainingJobSummaries ?? []).filter((job) => job.TrainingJobName?.startsWith(namePrefix)));
      token = page.NextToken || undefined;
    } while (token && summaries.length < limit);
    return mapConcurrent(summaries.slice(0, limit), 8, async (job) => ({
      name: job.TrainingJobName!,
      status: job.TrainingJobStatus ?? 'Unknown',
      ...(job.SecondaryStatus ? { secondaryStatus: job.SecondaryStatus } : {}),
      ...(job.CreationTime ? { createdAt: new Date(job.CreationTime) } : {}),
      tags: await this.tags(job.TrainingJobArn!),
    }));
  }

  private async tags(arn: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListTagsCommand({ ResourceArn: arn, NextToken: token, MaxResults: 100 }));
      Object.assign(tags, tagMap(page.Tags));
      token = page.NextToken;
    } while (token);
    return tags;
  }

  async describe(name: string): Promise<TrainingJobRecord | undefined> {
    let job: DescribeTrainingJobCommandOutput;
    try {
      job = await this.client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    } catch (error) {
      if (isJobNotFound(error)) return undefined;
      throw error;
    }
    return record(job, await this.tags(job.TrainingJobArn!));
  }

  async stop(name: string): Promise<void> {
    await this.client.send(new StopTrainingJobCommand({ TrainingJobName: name }));
  }
}

function tagMap(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).filter((tag) => tag.Key !== undefined).map((tag) => [tag.Key!, tag.Value ?? '']));
}

function date(value: Date | string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

function record(job: Partial<DescribeTrainingJobCommandOutput>, tags: Record<string, string>): TrainingJobRecord {
  return {
    name: job.TrainingJobName ?? '',
    arn: job.TrainingJobArn ?? '',
    status: job.TrainingJobStatus ?? 'Unknown',
    ...(job.SecondaryStatus ? { secondaryStatus: job.SecondaryStatus } : {}),
    ...(job.FailureReason ? { failureReason: job.FailureReason } : {}),
    createdAt: date(job.CreationTime),
    startedAt: date(job.TrainingStartTime),
    endedAt: date(job.TrainingEndTime),
    ...(job.BillableTimeInSeconds !== undefined ? { billableSeconds: job.BillableTimeInSeconds } : {}),
    ...(job.ResourceConfig?.InstanceType ? { instanceType: job.ResourceConfig.InstanceType } : {}),
    ...(job.ResourceConfig?.InstanceCount !== undefined ? { instanceCount: job.ResourceConfig.InstanceCount } : {}),
    hyperparameters: job.HyperParameters ?? {},
    statusHistory: (job.SecondaryStatusTransitions ?? []).map((entry) => ({
      status: entry.Status ?? 'Unknown', startedAt: date(entry.StartTime), endedAt: date(entry.EndTime), message: entry.StatusMessage,
    })),
    metrics: (job.FinalMetricDataList ?? []).map((metric) => ({ name: metric.MetricName ?? '', value: metric.Value ?? NaN, timestamp: date(metric.Timestamp) })),
    ...(job.ModelArtifacts?.S3ModelArtifacts ? { modelArtifactUri: job.ModelArtifacts.S3ModelArtifacts } : {}),
    tags,
  };
}

/** {@link LogStore} over the CloudWatch Logs client. */
export class CloudWatchLogStore implements LogStore {
  constructor(private readonly client: CloudWatchLogsClient) {}

  async streams(group: string, prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: prefix, nextToken: token }));
        names.push(...(page.logStreams ?? []).map((stream) => stream.logStreamName!));
        token = page.nextToken;
      } while (token);
    } catch (error) {
      // The group appears with the account's first training job's logs.
      if (errorCode(error) === 'ResourceNotFoundException') return [];
      throw error;
    }
    return names;
  }

  async read(group: string, stream: string, token: string | undefined, limit: number): Promise<{ events: LogEvent[]; nextToken?: string }> {
    const page = await this.client.send(new GetLogEventsCommand({
      logGroupName: group, logStreamName: stream, startFromHead: true, limit, ...(token ? { nextToken: token } : {}),
    }));
    return {
      events: (page.events ?? []).map((event) => ({ timestamp: event.timestamp ?? 0, message: event.message ?? '' })),
      ...(page.nextForwardToken ? { nextToken: page.nextForwardToken } : {}),
    };
  }
}


/** {@link LaunchPort} that invokes the launcher Lambda synchronously. */
export class LambdaLaunchPort implements LaunchPort {
  constructor(private readonly client: LambdaClient, private readonly functionName: string) {}

  async launch(tenant: string, request: unknown): Promise<LaunchResponse> {
    const event: LauncherEvent = { operation: 'launch', tenant, request };
    const output = await this.client.send(new InvokeCommand({ FunctionName: this.functionName, Payload: Buffer.from(JSON.stringify(event)) }));
    const text = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
    if (output.FunctionError) {
      throw new Error(`The launcher failed (${output.FunctionError}): ${text.slice(0, 1000)}`);
    }
    return JSON.parse(text) as LaunchResponse;
  }
}
