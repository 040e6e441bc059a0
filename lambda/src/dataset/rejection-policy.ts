import { DatasetError, DatasetProblem } from './dataset-errors';
import type { RejectedEntry } from './entry-outcome';

/**
 * Default: any rejected entry fails the dataset. With maxRejectedFraction f, up to
 * floor(f × considered) may be rejected, where considered = entries not skipped.
 */
export function rejectionsAllowed(considered: number, maxRejectedFraction: number): number {
  return Math.floor(maxRejectedFraction * considered + 1e-9);
}

export function rejectionError(rejected: readonly RejectedEntry[], considered: number, maxRejectedFraction: number): DatasetError | undefined {
  const allowed = rejectionsAllowed(considered, maxRejectedFraction);
  if (rejected.length <= allowed) return undefined;
  const counts = new Map<string, number>();
  for (const r of rejected) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const summary = [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
  const first = rejected[0];
  return new DatasetError(
    DatasetProblem.REJECTED_ENTRIES,
    `${rejected.length} of ${considered} entries were rejected (${summary}); ${allowed === 0 ? 'none are' : `at most ${allowed} are`} allowed. ` +
      `First: ${JSON.stringify(first.name)}: ${first.detail}`,
    rejected,
  );
}
