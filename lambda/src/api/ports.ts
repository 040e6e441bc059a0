import type { LaunchResponse } from '../../../contract/launch-request';

/** One S3 object as a listing shows it. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: string;
  readonly etag?: string;
}

/** What the API does with S3 (tests run it against moto_server; the Lambda against S3). */
export interface ObjectStore {
  /** One level of a listing: the objects directly under `prefix` and the sub-prefixes (with `/`). Follows every page. */
  listLevel(bucket: string, prefix: string): Promise<{ objects: StoredObject[]; prefixes: string[] }>;
  head(bucket: string, key: string): Promise<StoredObject | undefined>;
  readText(bucket: string, key: string): Promise<string | undefined>;
  presignGet(bucket: string, key: string, expiresInSeconds: number, downloadName?: string): Promise<string>;
  createMultipartUpload(bucket: string, key: string, metadata: Record<string, string>): Promise<string>;
  presignUploadPart(bucket: string, key: string, uploadId: string, partNumber: number, expiresInSeconds: number): Promise<string>;
  /** The parts uploaded so far; undefined when the upload does not exist (completed, aborted or never created). */
  listParts(bucket: string, key: string, uploadId: string): Promise<{ partNumber: number; etag: string; size: number }[] | undefined>;
  completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<string>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
}

/** The SageMaker facts the API reads about one training job. */
export interface TrainingJobRecord {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly secondaryStatus?: string;
  readonly failureReason?: string;
  readonly createdAt?: Date;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly billableSeconds?: number;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly hyperparameters: Record<string, string>;
  readonly statusHistory: { status: string; startedAt?: Date; endedAt?: Date; message?: string }[];
  readonly metrics: { name: string; value: number; timestamp?: Date }[];
  readonly modelArtifactUri?: string;
  readonly tags: Record<string, string>;
}

/** One training job as a listing shows it, with its tags. */
export interface TrainingJobListing {
  readonly name: string;
  readonly status: string;
  readonly secondaryStatus?: string;
  readonly createdAt?: Date;
  readonly tags: Record<string, string>;
}

/** What the API does with SageMaker. */
export interface TrainingJobStore {
  /**
   * The jobs whose names start with `namePrefix` (a tenant's `<prefix>-<tenant>-`, or one client
   * token's stem), newest first, at most `limit`, each with its tags. By name, not by a tag search:
   * a tenant's access role may read the tags of its own jobs only, and SageMaker's Search would
   * answer with every tenant's jobs.
   */
  listByNamePrefix(namePrefix: string, limit: number): Promise<TrainingJobListing[]>;
  /** The job with its tags, or undefined when there is none by that name. */
  describe(name: string): Promise<TrainingJobRecord | undefined>;
  stop(name: string): Promise<void>;
}

/** One CloudWatch Logs event. */
export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** What the API does with CloudWatch Logs. */
export interface LogStore {
  /** The streams of one log group whose names start with `prefix`. */
  streams(group: string, prefix: string): Promise<string[]>;
  /** Events of one stream after `token` (from the start when absent), oldest first, and the token to go on from. */
  read(group: string, stream: string, token: string | undefined, limit: number): Promise<{ events: LogEvent[]; nextToken?: string }>;
}

/** Launches a request on behalf of a tenant (the launcher Lambda, or the launcher logic in-process). */
export interface LaunchPort {
  launch(tenant: string, request: unknown): Promise<LaunchResponse>;
}
