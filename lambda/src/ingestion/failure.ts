import { ConversionFailureCode } from '../../../contract/ingestion-events';
import { DatasetKeyError } from '../catalog';
import { DatasetError, type RejectedEntry } from '../dataset';
import { ZipFormatError, ZipProblem } from '../zip';
import { FileSystemImportError } from '../aws/lustre-import';

/**
 * Pure: decides whether a conversion error is the upload's fault (permanent: report it with
 * `DatasetConversionFailed` and consume the message) or the environment's (transient: return the
 * message to the queue for another attempt).
 */
export type FailureVerdict =
  | {
    readonly kind: 'permanent';
    readonly code: ConversionFailureCode;
    readonly reason: string;
    readonly message: string;
    readonly problem?: string;
    readonly rejected: readonly RejectedEntry[];
  }
  | { readonly kind: 'transient'; readonly message: string };

/** What the byte source saw while the converter read from it. */
export interface SourceObservations {
  /** An S3 request failed (throttling, network, 5xx, access denied ...). */
  readonly ioFailure?: unknown;
  /** The upload was overwritten or deleted while it was read. */
  readonly changed?: Error;
}

export const FAILURE_REASONS: Record<ConversionFailureCode, string> = {
  [ConversionFailureCode.INVALID_UPLOAD_KEY]: 'invalid upload key',
  [ConversionFailureCode.INVALID_ZIP]: 'unreadable or unsafe zip',
  [ConversionFailureCode.INVALID_DATASET]: 'not an acceptable image dataset',
  [ConversionFailureCode.TOO_LARGE]: 'too large for single-function conversion',
  [ConversionFailureCode.UPLOAD_CHANGED]: 'upload replaced or deleted before conversion',
  [ConversionFailureCode.RETRIES_EXHAUSTED]: 'conversion failed repeatedly',
  [ConversionFailureCode.CONVERSION_CRASHED]: 'the conversion ran out of memory or time',
  [ConversionFailureCode.NOT_VISIBLE_ON_FILE_SYSTEM]: 'not visible on the file system in time',
  [ConversionFailureCode.UPLOAD_TOO_LARGE]: 'larger than the maximum upload size',
};

export function classifyFailure(error: unknown, source: SourceObservations = {}): FailureVerdict {
  // The converter reports a failed read as a broken zip or a corrupt entry; what the source saw
  // decides whether that verdict can be trusted.
  if (source.changed) {
    return permanent(ConversionFailureCode.UPLOAD_CHANGED, `${source.changed.message}. A newer upload of the same key is converted on its own event.`);
  }
  if (source.ioFailure !== undefined) {
    return { kind: 'transient', message: `reading the upload failed: ${describe(source.ioFailure)} (converter reported: ${describe(error)})` };
  }
  if (error instanceof DatasetKeyError) {
    return permanent(ConversionFailureCode.INVALID_UPLOAD_KEY, `${error.message} Upload zips as uploads/<tenant>/<datasetId>/<channel>.zip.`);
  }
  if (error instanceof ZipFormatError) {
    if (error.problem === ZipProblem.SOURCE_CHANGED) {
      return permanent(ConversionFailureCode.UPLOAD_CHANGED, error.message, error.problem);
    }
    return permanent(ConversionFailureCode.INVALID_ZIP, error.message, error.problem);
  }
  if (error instanceof FileSystemImportError) {
    return permanent(ConversionFailureCode.NOT_VISIBLE_ON_FILE_SYSTEM, error.message, error.problem);
  }
  if (error instanceof DatasetError) {
    return permanent(ConversionFailureCode.INVALID_DATASET, error.message, error.problem, error.rejected);
  }
  return { kind: 'transient', message: describe(error) };
}

function permanent(code: ConversionFailureCode, message: string, problem?: string, rejected: readonly RejectedEntry[] = []): FailureVerdict {
  return { kind: 'permanent', code, reason: FAILURE_REASONS[code], message, ...(problem ? { problem } : {}), rejected };
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
