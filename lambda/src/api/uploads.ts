import { DatasetKeyError, uploadKey, validateChannelName, validateDatasetId } from '../catalog';
import { jsonBody, onlyFields, wholeNumber } from './body';
import type { ApiConfig } from './config';
import {
  CompleteUploadResponse, CreateUploadResponse, DEFAULT_PART_BYTES, DescribeUploadResponse, MAX_PART_URLS_PER_CALL,
  PresignPartsResponse, S3_MULTIPART, UPLOAD_KINDS, UploadKind,
} from '../../../contract/platform-api';
import { ApiError, badRequest, conflict, notFound, tooLarge } from './errors';
import type { ObjectStore } from './ports';

/** What an upload handle carries: enough to find the S3 upload again, never the key itself. */
interface UploadHandle {
  readonly tenant: string;
  readonly datasetId: string;
  readonly channel: string;
  readonly kind: UploadKind;
  readonly size: number;
  readonly partSize: number;
  readonly s3UploadId: string;
}

/** The opaque upload id the API hands out: base64url of the handle. */
export function encodeUploadHandle(handle: UploadHandle): string {
  const compact = { t: handle.tenant, d: handle.datasetId, c: handle.channel, k: handle.kind, s: handle.size, p: handle.partSize, u: handle.s3UploadId };
  return Buffer.from(JSON.stringify(compact)).toString('base64url');
}

/**
 * Reads an upload id of the caller's tenant. The key is always rebuilt from the caller's tenant
 * (S3 binds an upload id to its key), and a handle issued to another tenant is refused outright.
 */
export function decodeUploadHandle(uploadId: string, tenant: string): UploadHandle {
  let handle: UploadHandle;
  try {
    const value = JSON.parse(Buffer.from(uploadId, 'base64url').toString('utf8')) as Record<string, unknown>;
    handle = {
      tenant: String(value.t),
      datasetId: validateDatasetId(String(value.d)),
      channel: validateChannelName(String(value.c)),
      kind: value.k as UploadKind,
      size: Number(value.s),
      partSize: Number(value.p),
      s3UploadId: String(value.u),
    };
    if (!UPLOAD_KINDS.includes(handle.kind) || !Number.isSafeInteger(handle.size) || !Number.isSafeInteger(handle.partSize) || !value.u) {
      throw new Error('incomplete');
    }
  } catch {
    throw notFound(`No upload ${JSON.stringify(uploadId.slice(0, 80))}: the upload id is not one this API issued.`);
  }
  if (handle.tenant !== tenant) {
    throw notFound(`Tenant ${tenant} has no upload ${uploadId.slice(0, 24)}…; start a new upload.`);
  }
  return handle;
}

/** The part size for a file: the requested (or default) size, grown to fit S3's 10,000 parts, in whole MiB. */
export function choosePartSize(size: number, requested?: number): number {
  const mib = 1024 * 1024;
  const wanted = requested ?? DEFAULT_PART_BYTES;
  const needed = Math.ceil(size / S3_MULTIPART.maxParts);
  return Math.max(wanted, Math.ceil(needed / mib) * mib);
}

export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** The upload operations of one tenant. */
export class UploadOperations {
  constructor(
    private readonly config: ApiConfig,
    private readonly store: ObjectStore,
  ) {}

  async create(tenant: string, body: string | null): Promise<CreateUploadResponse> {
    const request = jsonBody(body);
    onlyFields(request, ['datasetId', 'channel', 'kind', 'size', 'partSize']);
    const datasetId = named(() => validateDatasetId(String(request.datasetId ?? '')), 'datasetId');
    const channel = named(() => validateChannelName(String(request.channel ?? '')), 'channel');
    const kind = (request.kind ?? 'images') as UploadKind;
    if (!UPLOAD_KINDS.includes(kind)) {
      throw badRequest(`kind must be one of ${UPLOAD_KINDS.join(', ')} (got ${JSON.stringify(request.kind)}).`);
    }
    if (typeof request.size === 'number' && request.size > this.config.maxUploadBytes) {
      throw tooLarge(`The upload is ${request.size} bytes; this platform accepts uploads up to ${this.config.maxUploadBytes} bytes ` +
        '(PlatformApi maxUploadSize). Split the dataset into several channels or ask the platform team to raise the cap.');
    }
    const size = wholeNumber(request.size, 'size', 1, this.config.maxUploadBytes);
    const requestedPart = request.partSize === undefined ? undefined
      : wholeNumber(request.partSize, 'partSize', S3_MULTIPART.minPartBytes, S3_MULTIPART.maxPartBytes);
    const partSize = choosePartSize(size, requestedPart);
    const key = uploadKey({ tenant, datasetId, channel }, kind);
    const s3UploadId = await this.store.createMultipartUpload(this.config.uploadBucket, key, { tenant, kind, 'declared-size': String(size) });
    return {
      uploadId: encodeUploadHandle({ tenant, datasetId, channel, kind, size, partSize, s3UploadId }),
      datasetId, channel, kind, size, partSize,
      partCount: partCount(size, partSize),
      maxUploadBytes: this.config.maxUploadBytes,
    };
  }

  async describe(tenant: string, uploadId: string): Promise<DescribeUploadResponse> {
    const handle = decodeUploadHandle(uploadId, tenant);
    const parts = await this.existingParts(tenant, uploadId, handle);
    return { uploadId, datasetId: handle.datasetId, channel: handle.channel, parts };
  }

  async presignParts(tenant: string, uploadId: string, body: string | null): Promise<PresignPartsResponse> {
    const handle = decodeUploadHandle(uploadId, tenant);
    const request = jsonBody(body);
    onlyFields(request, ['partNumbers']);
    const count = partCount(handle.size, handle.partSize);
    if (!Array.isArray(request.partNumbers) || request.partNumbers.length === 0 || request.partNumbers.length > MAX_PART_URLS_PER_CALL) {
      throw badRequest(`partNumbers must be a list of 1 to ${MAX_PART_URLS_PER_CALL} part numbers.`);
    }
    const numbers = [...new Set(request.partNumbers.map((value, index) => wholeNumber(value, `partNumbers[${index}]`, 1, count)))];
    // The URLs only work for an upload that exists under this tenant's key.
    await this.existingParts(tenant, uploadId, handle);
    const key = uploadKey({ tenant, datasetId: handle.datasetId, channel: handle.channel }, handle.kind);
    const seconds = this.config.presignSeconds;
    const parts = await Promise.all(numbers.map(async (partNumber) => ({
      partNumber,
      url: await this.store.presignUploadPart(this.config.uploadBucket, key, handle.s3UploadId, partNumber, seconds),
    })));
    return { parts, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
  }

  async complete(tenant: string, uploadId: string, body: string | null): Promise<CompleteUploadResponse> {
    const handle = decodeUploadHandle(uploadId, tenant);
    const request = jsonBody(body);
    onlyFields(request, ['size', 'parts']);
    const parts = await this.existingParts(tenant, uploadId, handle);
    const key = uploadKey({ tenant, datasetId: handle.datasetId, channel: handle.channel }, handle.kind);
    const total = parts.reduce((sum, part) => sum + part.size, 0);
    if (total > this.config.maxUploadBytes) {
      await this.store.abortMultipartUpload(this.config.uploadBucket, key, handle.s3UploadId);
      throw tooLarge(`The uploaded parts hold ${total} bytes, more than the platform's cap of ${this.config.maxUploadBytes}; the upload was aborted.`);
    }
    const count = partCount(handle.size, handle.partSize);
    const have = new Set(parts.map((part) => part.partNumber));
    const missing = Array.from({ length: count }, (_, index) => index + 1).filter((number) => !have.has(number));
    if (missing.length > 0 || total !== handle.size) {
      throw conflict(`The upload is incomplete: ${missing.length > 0 ? `parts ${summarize(missing)} are missing` : 'all parts are there'} and ` +
        `${total} of ${handle.size} bytes arrived. Upload the missing parts (the CLI resumes) and complete again.`);
    }
    const claimed = Array.isArray(request.parts) ? request.parts as { partNumber?: unknown; etag?: unknown }[] : [];
    const mismatched = claimed.filter((part) => {
      const stored = parts.find((candidate) => candidate.partNumber === part.partNumber);
      return stored !== undefined && typeof part.etag === 'string' && unquote(part.etag) !== unquote(stored.etag);
    });
    if (mismatched.length > 0) {
      throw conflict(`Parts ${summarize(mismatched.map((part) => Number(part.partNumber)))} in S3 differ from what the client sent ` +
        '(another upload of the same part overlapped). Upload those parts again and complete.');
    }
    const etag = await this.store.completeMultipartUpload(this.config.uploadBucket, key, handle.s3UploadId,
      parts.filter((part) => part.partNumber <= count).map(({ partNumber, etag: partEtag }) => ({ partNumber, etag: partEtag })));
    return { datasetId: handle.datasetId, channel: handle.channel, size: total, etag: unquote(etag) };
  }

  async abort(tenant: string, uploadId: string): Promise<{ aborted: true }> {
    const handle = decodeUploadHandle(uploadId, tenant);
    await this.existingParts(tenant, uploadId, handle);
    await this.store.abortMultipartUpload(this.config.uploadBucket, uploadKey({ tenant, datasetId: handle.datasetId, channel: handle.channel }, handle.kind), handle.s3UploadId);
    return { aborted: true };
  }

  private async existingParts(tenant: string, uploadId: string, handle: UploadHandle) {
    const key = uploadKey({ tenant, datasetId: handle.datasetId, channel: handle.channel }, handle.kind);
    const parts = await this.store.listParts(this.config.uploadBucket, key, handle.s3UploadId);
    if (parts === undefined) {
      throw notFound(`Upload ${uploadId.slice(0, 24)}… of ${handle.datasetId}/${handle.channel} does not exist (completed, aborted, ` +
        'expired, or not yours). Start a new upload.');
    }
    return parts;
  }
}

function named<T>(read: () => T, field: string): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DatasetKeyError) {
      throw badRequest(`${field}: ${error.message}`);
    }
    throw error instanceof ApiError ? error : badRequest(`${field}: ${(error as Error).message}`);
  }
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

/** `1-3, 7` for [1, 2, 3, 7]; long lists are cut. */
function summarize(numbers: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < numbers.length;) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    ranges.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return ranges.length > 10 ? `${ranges.slice(0, 10).join(', ')}, …` : ranges.join(', ');
}
