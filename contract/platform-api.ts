/**
 * The platform API's contract: the routes, the request and response bodies, and the environment
 * variables the `PlatformApi` construct sets on the API Lambda. Dependency-free on purpose: the CDK
 * library, the API Lambda and the CLI all import it, so the three agree.
 */
import type { TrainingJobLaunchRequest, LaunchResponse } from './launch-request';
import { DATASET_KINDS, type DatasetKind } from './key-layout';

/** The operations of the API, each one REST method on one resource. */
export const API_ROUTES = {
  createUpload: { method: 'POST', path: '/uploads' },
  describeUpload: { method: 'GET', path: '/uploads/{uploadId}' },
  presignUploadParts: { method: 'POST', path: '/uploads/{uploadId}/parts' },
  completeUpload: { method: 'POST', path: '/uploads/{uploadId}/complete' },
  abortUpload: { method: 'DELETE', path: '/uploads/{uploadId}' },
  listDatasets: { method: 'GET', path: '/datasets' },
  launchJobs: { method: 'POST', path: '/jobs' },
  listJobs: { method: 'GET', path: '/jobs' },
  describeJob: { method: 'GET', path: '/jobs/{jobName}' },
  stopJob: { method: 'POST', path: '/jobs/{jobName}/stop' },
  readJobLogs: { method: 'GET', path: '/jobs/{jobName}/logs' },
  getJobArtifacts: { method: 'GET', path: '/jobs/{jobName}/artifacts' },
} as const;

export type ApiOperation = keyof typeof API_ROUTES;

/** The environment of the API Lambda (JSON where noted). */
export const API_ENV = {
  /** The bucket users upload zips to (`uploads/…`). */
  UPLOAD_BUCKET: 'API_UPLOAD_BUCKET',
  /** The bucket with the converted datasets (`datasets/…`). */
  DATASET_BUCKET: 'API_DATASET_BUCKET',
  /** The bucket with the jobs' artifacts (`jobs/…`). */
  ARTIFACTS_BUCKET: 'API_ARTIFACTS_BUCKET',
  /** The largest upload accepted, in bytes. */
  MAX_UPLOAD_BYTES: 'API_MAX_UPLOAD_BYTES',
  /** How long presigned URLs are valid, in seconds. */
  PRESIGN_SECONDS: 'API_PRESIGN_SECONDS',
  /** The launcher Lambda's name or ARN. */
  LAUNCHER_FUNCTION: 'API_LAUNCHER_FUNCTION',
  /** The platform's job-name prefix (jobs outside it are not the platform's). */
  JOB_NAME_PREFIX: 'API_JOB_NAME_PREFIX',
  /** The JWT claim whose value names the caller's tenant (JWT authorization only). */
  TENANT_CLAIM: 'API_TENANT_CLAIM',
  /** The log group of training-job logs. */
  TRAINING_LOG_GROUP: 'API_TRAINING_LOG_GROUP',
} as const;

/** The JWT authorizer's environment (the `PlatformApi` construct sets it when `jwtAuthorizer` is given). */
export const JWT_AUTHORIZER_ENV = {
  /** The token issuer (`iss`) accepted. */
  ISSUER: 'JWT_ISSUER',
  /** JSON list of the audiences accepted (`aud`, or `client_id` of Cognito access tokens). */
  AUDIENCES: 'JWT_AUDIENCES',
  /** Where the issuer publishes its signing keys (JWKS). */
  JWKS_URI: 'JWT_JWKS_URI',
  /** The claim whose value names the caller's tenant. */
  TENANT_CLAIM: 'JWT_TENANT_CLAIM',
} as const;

/** The claim that names a JWT caller's tenant unless the platform names another. */
export const DEFAULT_TENANT_CLAIM = 'tenant';

/** The smallest and largest part S3 accepts (the last part may be smaller), and the most parts. */
export const S3_MULTIPART = { minPartBytes: 5 * 1024 * 1024, maxPartBytes: 5 * 1024 ** 3, maxParts: 10_000 } as const;
/** The part size the API picks when the client names none (grown when the file needs more than 10,000 parts). */
export const DEFAULT_PART_BYTES = 16 * 1024 * 1024;
/** The most part URLs one `presignUploadParts` call returns. */
export const MAX_PART_URLS_PER_CALL = 100;
/** The most log lines one `readJobLogs` call returns. */
export const MAX_LOG_LINES_PER_CALL = 1_000;

/**
 * The kinds of upload: a zip of images (converted to TFRecord), a zip of files kept as they are, or
 * TFRecord data (one file or a zip of them) kept byte for byte. The kind picks the upload key's suffix
 * (contract/key-layout.ts).
 */
export type UploadKind = DatasetKind;
export const UPLOAD_KINDS: readonly UploadKind[] = DATASET_KINDS;

export interface CreateUploadRequest {
  readonly datasetId: string;
  readonly channel: string;
  /** Default `images`. */
  readonly kind?: UploadKind;
  /** The zip's size in bytes (checked against the platform's cap before anything is created). */
  readonly size: number;
  /** The part size the client wants; default {@link DEFAULT_PART_BYTES}, grown to fit 10,000 parts. */
  readonly partSize?: number;
}

export interface UploadDescription {
  /** Opaque handle of the multipart upload (names the dataset, channel and S3 upload). */
  readonly uploadId: string;
  readonly datasetId: string;
  readonly channel: string;
  readonly kind: UploadKind;
  readonly size: number;
  readonly partSize: number;
  readonly partCount: number;
  /** The platform's upload cap in bytes. */
  readonly maxUploadBytes: number;
}

export type CreateUploadResponse = UploadDescription;

export interface UploadedPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
}

export interface DescribeUploadResponse {
  readonly uploadId: string;
  readonly datasetId: string;
  readonly channel: string;
  /** The parts S3 holds already (what a resumed upload skips). */
  readonly parts: UploadedPart[];
}

export interface PresignPartsRequest {
  readonly partNumbers: number[];
}

export interface PresignPartsResponse {
  readonly parts: { readonly partNumber: number; readonly url: string }[];
  /** When the URLs stop working (ISO 8601). */
  readonly expiresAt: string;
}

export interface CompleteUploadRequest {
  readonly size: number;
  readonly parts: { readonly partNumber: number; readonly etag: string }[];
}

export interface CompleteUploadResponse {
  readonly datasetId: string;
  readonly channel: string;
  readonly size: number;
  readonly etag: string;
}

/** Where a dataset channel stands. */
export type ChannelStatus = 'uploading' | 'converting' | 'ready' | 'failed';

export interface DatasetVersionSummary {
  readonly version: string;
  /** `true` when the version's manifest is written (a complete version). */
  readonly complete: boolean;
  /** `true` for the version `current.json` points at (what launches read). */
  readonly current: boolean;
}

export interface ChannelSummary {
  readonly channel: string;
  readonly status: ChannelStatus;
  /** Why the newest upload failed to convert, and what to do. */
  readonly reason?: string;
  /** Conversion progress 0–1 when the converter reports it. */
  readonly progress?: number;
  readonly currentVersion?: string;
  readonly versions: DatasetVersionSummary[];
  /** The newest upload's size and time. */
  readonly upload?: { readonly size: number; readonly uploadedAt: string };
}

export interface DatasetSummary {
  readonly datasetId: string;
  readonly channels: ChannelSummary[];
}

export interface ListDatasetsResponse {
  readonly tenant: string;
  readonly datasets: DatasetSummary[];
}

export type LaunchJobsRequest = TrainingJobLaunchRequest;
export type LaunchJobsResponse = LaunchResponse;

export interface JobSummary {
  readonly name: string;
  readonly status: string;
  readonly secondaryStatus?: string;
  readonly sweep?: string;
  readonly datasetId?: string;
  readonly createdAt?: string;
}

export interface ListJobsResponse {
  readonly jobs: JobSummary[];
}

export interface JobDescription extends JobSummary {
  readonly arn: string;
  readonly failureReason?: string;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly hyperparameters: Record<string, string>;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly billableSeconds?: number;
  readonly statusHistory: { readonly status: string; readonly startedAt?: string; readonly endedAt?: string; readonly message?: string }[];
  readonly metrics: { readonly name: string; readonly value: number; readonly timestamp?: string }[];
  readonly modelArtifactUri?: string;
}

export interface StopJobResponse {
  readonly name: string;
  /** `stopping` when the stop was requested now, or the job's final status when it had ended already. */
  readonly status: string;
}

export interface LogLine {
  readonly timestamp: string;
  /** The log stream (one per instance: `<job>/algo-1-…`). */
  readonly stream: string;
  readonly message: string;
}

export interface ReadLogsResponse {
  readonly lines: LogLine[];
  /** Pass back as `cursor` to read on from here (also after the job ends, to drain). */
  readonly cursor: string;
}

export interface ArtifactLink {
  readonly uri: string;
  /** A presigned GET URL, or absent when the object does not exist (yet). */
  readonly url?: string;
  readonly size?: number;
}

export interface JobArtifactsResponse {
  readonly name: string;
  readonly status: string;
  readonly model: ArtifactLink;
  readonly output: ArtifactLink;
  readonly expiresAt: string;
}

/** Every error the API returns. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}
