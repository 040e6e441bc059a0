import { PROGRESS_MIN_INTERVAL_MS, PROGRESS_MIN_STEP } from '../../../contract/ingestion-events';

/** The last progress reported: how far and when (milliseconds on any clock the caller keeps using). */
export interface ReportedProgress {
  readonly fraction: number;
  readonly atMs: number;
}

/**
 * Pure: whether progress `fraction` at `nowMs` is worth another event after `last`. At most one
 * event per {@link PROGRESS_MIN_STEP} of the work, or per {@link PROGRESS_MIN_INTERVAL_MS} when
 * the work moved on at all; never at 0 or at 1 (`DatasetConversionStarted` and `DatasetConverted`
 * say those).
 */
export function shouldReportProgress(last: ReportedProgress, fraction: number, nowMs: number): boolean {
  if (!(fraction > 0 && fraction < 1) || fraction <= last.fraction) return false;
  return fraction - last.fraction >= PROGRESS_MIN_STEP - 1e-9 || nowMs - last.atMs >= PROGRESS_MIN_INTERVAL_MS;
}

/** `completed / total`, rounded down to a thousandth (never 1 before the end, never above 1). */
export function progressFraction(completed: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(1, Math.floor((completed / total) * 1000) / 1000);
}

/**
 * Pure: the 10 % step (1–9) a distributed conversion has reached with `completed` of `total` work
 * items done; undefined at 0 % and at the end. Workers finishing at once may count the same number,
 * so each reports a step only if it creates the step's marker first (S3 `If-None-Match: *`): at most
 * one event per step, whoever wins.
 */
export function progressStep(completed: number, total: number): number | undefined {
  if (total <= 0 || completed <= 0 || completed >= total) return undefined;
  const step = Math.floor((completed * 10) / total);
  return step >= 1 ? step : undefined;
}
