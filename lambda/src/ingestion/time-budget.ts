import { TOO_LARGE_REASON } from '../../../contract/ingestion-events';

/**
 * Before converting, the handler asks whether the zip fits the time it has. Pure: the caller
 * passes the clock readings. Three answers:
 * - `convert`: go ahead.
 * - `too-large`: it would not fit even a fresh invocation (above the size threshold, or the
 *   estimate exceeds the whole invocation budget). A permanent verdict: today the handler sends
 *   `DatasetConversionFailed` with reason "too large for single-function conversion"; a later
 *   issue hands these to a distributed (Step Functions) conversion instead — see
 *   `OversizeStrategy` in ingest-upload.ts, the one place to change.
 * - `retry-later`: it fits a fresh invocation but not what is left of this one (an earlier message
 *   of the same batch used the time). The message is returned to the queue.
 */
export interface TimeBudgetInput {
  /** Size of the zip in bytes. */
  readonly zipBytes: number;
  /** `context.getRemainingTimeInMillis()` now. */
  readonly remainingMs: number;
  /** `context.getRemainingTimeInMillis()` when the invocation started: what a fresh invocation gets. */
  readonly invocationBudgetMs: number;
  /** The size threshold: larger zips are never converted by one function. */
  readonly maxZipBytes: number;
  /** Assumed conversion throughput (read, check, encode, write) in bytes per second. */
  readonly bytesPerSecond: number;
}

export type TimeBudgetVerdict =
  | { readonly kind: 'convert'; readonly estimatedMs: number }
  | { readonly kind: 'too-large'; readonly estimatedMs: number; readonly reason: string; readonly message: string }
  | { readonly kind: 'retry-later'; readonly estimatedMs: number; readonly message: string };

/** Fixed cost of a conversion besides the bytes: opening the zip, planning, manifest, pointer, event. */
export const FIXED_OVERHEAD_MS = 5_000;
/** Time kept free at the end of an invocation: aborting uploads and reporting need it. */
export const SAFETY_RESERVE_MS = 20_000;
/** Plus this fraction of the estimate, since throughput varies. */
export const ESTIMATE_MARGIN = 0.25;

export function estimateConversionMs(zipBytes: number, bytesPerSecond: number): number {
  return Math.ceil(FIXED_OVERHEAD_MS + (zipBytes / bytesPerSecond) * 1000 * (1 + ESTIMATE_MARGIN));
}

export function assessTimeBudget(input: TimeBudgetInput): TimeBudgetVerdict {
  const estimatedMs = estimateConversionMs(input.zipBytes, input.bytesPerSecond);
  const size = formatBytes(input.zipBytes);
  if (input.zipBytes > input.maxZipBytes) {
    return {
      kind: 'too-large',
      estimatedMs,
      reason: TOO_LARGE_REASON,
      message: `The zip is ${size}, above the single-function limit of ${formatBytes(input.maxZipBytes)} ` +
        '(DatasetIngestion prop singleFunctionMaxZipSize). Split the dataset into smaller zips or raise the limit together with the function timeout.',
    };
  }
  const freshMs = input.invocationBudgetMs - SAFETY_RESERVE_MS;
  if (estimatedMs > freshMs) {
    return {
      kind: 'too-large',
      estimatedMs,
      reason: TOO_LARGE_REASON,
      message: `Converting ${size} is estimated at ${seconds(estimatedMs)} (at ${formatBytes(input.bytesPerSecond)}/s), more than the ` +
        `${seconds(freshMs)} one invocation can spend (timeout minus a ${seconds(SAFETY_RESERVE_MS)} reserve). ` +
        'Split the dataset into smaller zips or raise the DatasetIngestion timeout (at most 15 minutes).',
    };
  }
  const nowMs = input.remainingMs - SAFETY_RESERVE_MS;
  if (estimatedMs > nowMs) {
    return {
      kind: 'retry-later',
      estimatedMs,
      message: `Converting ${size} is estimated at ${seconds(estimatedMs)} but only ${seconds(Math.max(0, nowMs))} remain in this invocation; ` +
        'the message goes back to the queue for a fresh invocation.',
    };
  }
  return { kind: 'convert', estimatedMs };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
