import { createHash } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  CompleteUploadResponse, CreateUploadResponse, DescribeUploadResponse, PresignPartsResponse, UploadKind,
} from '../../../../contract/platform-api';
import { MAX_PART_URLS_PER_CALL } from '../../../../contract/platform-api';
import { ApiRequestError, PlatformApiClient } from './api-client';
import { writeJsonFile } from './cli-config';

/** What a resumable upload remembers between runs (one file per endpoint, dataset, channel and local file). */
export interface UploadState {
  readonly endpoint: string;
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly upload: CreateUploadResponse;
  /** Part number → ETag of the parts done. */
  readonly parts: Record<string, string>;
}

export interface UploadProgress {
  readonly partsDone: number;
  readonly partCount: number;
  readonly bytesDone: number;
  readonly size: number;
  /** Bytes that were already uploaded when this run started (resumed). */
  readonly bytesBefore: number;
}

export interface UploadOptions {
  readonly client: PlatformApiClient;
  readonly endpoint: string;
  readonly file: string;
  readonly datasetId: string;
  readonly channel: string;
  readonly kind?: UploadKind;
  readonly partSize?: number;
  /** Parts in flight at once. */
  readonly concurrency: number;
  readonly stateDir: string;
  readonly onProgress?: (progress: UploadProgress) => void;
  /** Called once with whether the upload resumed and how much was done. */
  readonly onStart?: (info: { resumed: boolean; upload: CreateUploadResponse; bytesBefore: number }) => void;
  /** Aborts the run (the state stays: the next run resumes). */
  readonly signal?: AbortSignal;
}

export interface UploadResult extends CompleteUploadResponse {
  readonly resumed: boolean;
  readonly partCount: number;
  readonly seconds: number;
  /** Bytes sent in this run, per second. */
  readonly bytesPerSecond: number;
}

/** The state file of one upload of one file. */
export function uploadStateFile(stateDir: string, endpoint: string, file: string, datasetId: string, channel: string): string {
  const id = createHash('sha256').update([endpoint, resolve(file), datasetId, channel].join('\n')).digest('hex').slice(0, 24);
  return join(stateDir, `${id}.json`);
}

/** The first bytes of a zip: a local file header, or the end record of an empty archive. */
async function looksLikeZip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && (buffer.readUInt32LE(0) === 0x04034b50 || buffer.readUInt32LE(0) === 0x06054b50);
  } finally {
    await handle.close();
  }
}

/**
 * Uploads a zip in parts through presigned URLs, `concurrency` parts at a time. After every part
 * the state file is rewritten, so an interrupted run (Ctrl-C, a crash, a lost network) resumes:
 * the next run asks the API which parts S3 holds and sends only the rest. The size is checked
 * (and the file checked to be a zip) before anything is created.
 */
export async function uploadZip(options: UploadOptions): Promise<UploadResult> {
  const started = Date.now();
  const file = resolve(options.file);
  const info = await stat(file);
  if (!info.isFile()) throw new Error(`${options.file} is not a file`);
  if (info.size === 0) throw new Error(`${options.file} is empty`);
  if (!(await looksLikeZip(file))) throw new Error(`${options.file} is not a zip file (it does not start with a zip header)`);

  const stateFile = uploadStateFile(options.stateDir, options.endpoint, file, options.datasetId, options.channel);
  let state = await resumableState(stateFile, options, file, info.size, info.mtimeMs);
  const resumed = state !== undefined;
  if (!state) {
    const upload = await options.client.post<CreateUploadResponse>('/uploads', {
      datasetId: options.datasetId, channel: options.channel, size: info.size,
      ...(options.kind ? { kind: options.kind } : {}), ...(options.partSize ? { partSize: options.partSize } : {}),
    });
    state = { endpoint: options.endpoint, file, size: info.size, mtimeMs: info.mtimeMs, upload, parts: {} };
    await writeJsonFile(stateFile, state);
  }
  const { upload } = state;
  const done = new Map<number, string>(Object.entries(state.parts).map(([number, etag]) => [Number(number), etag]));
  const partBytes = (number: number) => Math.min(upload.partSize, upload.size - (number - 1) * upload.partSize);
  let bytesDone = [...done.keys()].reduce((sum, number) => sum + partBytes(number), 0);
  const bytesBefore = bytesDone;
  options.onStart?.({ resumed, upload, bytesBefore });
  const progress = () => options.onProgress?.({ partsDone: done.size, partCount: upload.partCount, bytesDone, size: upload.size, bytesBefore });
  progress();

  const pending = Array.from({ length: upload.partCount }, (_, index) => index + 1).filter((number) => !done.has(number));
  const urls = new Map<number, string>();
  const fetchUrls = async (from: number) => {
    const batch = pending.slice(from, from + MAX_PART_URLS_PER_CALL).filter((number) => !urls.has(number));
    if (batch.length === 0) return;
    const answer = await options.client.post<PresignPartsResponse>(`/uploads/${upload.uploadId}/parts`, { partNumbers: batch });
    for (const part of answer.parts) urls.set(part.partNumber, part.url);
  };
  let saving = Promise.resolve();
  const save = () => {
    // Serialized: the newest state always lands last.
    saving = saving.then(() => writeJsonFile(stateFile, { ...state, parts: Object.fromEntries(done) }));
    return saving;
  };

  const handle = await open(file, 'r');
  try {
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        options.signal?.throwIfAborted();
        const index = next++;
        const number = pending[index];
        if (!urls.has(number)) await fetchUrls(index - (index % MAX_PART_URLS_PER_CALL));
        const length = partBytes(number);
        const body = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(body, 0, length, (number - 1) * upload.partSize);
        if (bytesRead !== length) throw new Error(`${options.file} changed while uploading (part ${number} is short); start again`);
        const etag = await putPart(urls, number, body, fetchUrls.bind(null, index - (index % MAX_PART_URLS_PER_CALL)), options.signal);
        done.set(number, etag);
        bytesDone += length;
        progress();
        await save();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, worker));
  } finally {
    await handle.close();
    await saving;
  }
  const completed = await options.client.post<CompleteUploadResponse>(`/uploads/${upload.uploadId}/complete`, {
    size: upload.size,
    parts: [...done].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag })),
  });
  await rm(stateFile, { force: true });
  const seconds = (Date.now() - started) / 1000;
  return { ...completed, resumed, partCount: upload.partCount, seconds, bytesPerSecond: seconds > 0 ? (upload.size - bytesBefore) / seconds : 0 };
}

/** A saved state that still fits (same file, size and mtime; the upload still exists), reconciled with S3's parts. */
async function resumableState(stateFile: string, options: UploadOptions, file: string, size: number, mtimeMs: number): Promise<UploadState | undefined> {
  let state: UploadState;
  try {
    state = JSON.parse(await readFile(stateFile, 'utf8')) as UploadState;
  } catch {
    return undefined;
  }
  if (state.file !== file || state.size !== size || state.mtimeMs !== mtimeMs || state.upload.datasetId !== options.datasetId) {
    // The file changed: the old upload cannot be completed with it. Abort it (best effort) and start over.
    await options.client.delete(`/uploads/${state.upload.uploadId}`).catch(() => undefined);
    return undefined;
  }
  try {
    const described = await options.client.get<DescribeUploadResponse>(`/uploads/${state.upload.uploadId}`);
    // S3 is the truth: a part the state missed (interrupted before saving) counts, one it lost does not.
    return { ...state, parts: Object.fromEntries(described.parts.map((part) => [String(part.partNumber), part.etag])) };
  } catch (error) {
    if (error instanceof ApiRequestError && error.statusCode === 404) return undefined;
    throw error;
  }
}

/** PUTs one part to its presigned URL; retries network errors and 5xx, refreshes an expired URL (403) once. */
async function putPart(urls: Map<number, string>, number: number, body: Buffer, refresh: () => Promise<void>, signal?: AbortSignal): Promise<string> {
  let refreshed = false;
  for (let attempt = 0; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await fetch(urls.get(number)!, { method: 'PUT', body, signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      failure = error;
    }
    if (response?.ok) {
      const etag = response.headers.get('etag');
      if (!etag) throw new Error(`S3 answered part ${number} without an ETag`);
      return etag;
    }
    if (response?.status === 403 && !refreshed) {
      refreshed = true;
      urls.delete(number);
      await refresh();
      continue;
    }
    const retryable = failure !== undefined || (response !== undefined && (response.status >= 500 || response.status === 429));
    if (!retryable || attempt >= 4) {
      const detail = response ? `HTTP ${response.status} ${(await response.text()).slice(0, 300)}` : String((failure as Error)?.cause ?? failure);
      throw new Error(`uploading part ${number} failed: ${detail}`);
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, Math.min(8000, 500 * 2 ** attempt)));
  }
}
