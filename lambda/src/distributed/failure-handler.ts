import type { FailedWorkItemReference } from '../../../contract/ingestion-events';
import { ConversionFailureCode } from '../../../contract/ingestion-events';
import { LAMBDA_CRASH_ERROR } from '../../../contract/distributed-conversion';
import { plannedShardName, type RejectedEntry } from '../dataset';
import { cleanUpIncomplete, publishFailure } from '../ingestion/commit-version';
import { FAILURE_REASONS } from '../ingestion/failure';
import { parseFailureInput, uploadIdentityOf } from './run-input';
import { workFiles, type DistributedServices } from './services';
import type { FailureRecord } from './work-plan';

export interface FailureHandlerOutput {
  readonly code: ConversionFailureCode;
  readonly failedItems: number;
}

/** Failed items listed in one event; the message gives the total. */
export const MAX_LISTED_ITEMS = 50;

/**
 * Every failure path of the state machine ends here (the planner's, a work item's after its
 * retries, the finalizer's). In this order:
 * 1. writes the ABORTED marker, so workers still running remove their shards and stop;
 * 2. decides the verdict: a permanent one a step recorded (hostile zip, unacceptable dataset,
 *    upload replaced: the same code, reason, problem and rejected entries the single function
 *    reports), otherwise "conversion failed repeatedly" with the failed items and their last errors;
 * 3. removes the version folder unless its manifest exists (the ingestion's own cleanup: S3 and
 *    EFS), so no pointer can ever name a partial version — the pointer is only moved after the
 *    manifest, by the finalizer;
 * 4. sends `DatasetConversionFailed` naming the failed work items and their shards;
 * 5. removes the work files (the ABORTED marker stays for late workers).
 */
export async function handleDistributedFailure(event: unknown, services: DistributedServices): Promise<FailureHandlerOutput> {
  const { input, error, ref, layout } = parseFailureInput(event);
  const work = workFiles(services, layout);
  const log = services.logger;
  const context = { datasetId: ref.datasetId, channel: ref.channel, version: input.version };
  await work.markAborted(`${error?.Error ?? 'failed'} at ${services.now().toISOString()}`);

  const [records, planDocument] = await Promise.all([work.readFailures(), work.readPlan()]);
  const recordOfItem = new Map(records.filter((r) => r.item !== undefined).map((r) => [r.item!, r]));
  const failedItems: FailedWorkItemReference[] = [];
  let itemCount = 0;
  if (planDocument) {
    itemCount = planDocument.items.length;
    const results = await work.readResults(planDocument.items.map((i) => i.item));
    planDocument.items.forEach((item, i) => {
      if (results[i]) return;
      const record = recordOfItem.get(item.item);
      failedItems.push({
        item: item.item,
        firstShard: plannedShardName(planDocument.plan, item.firstShard, planDocument.shardCount),
        lastShard: plannedShardName(planDocument.plan, item.lastShard, planDocument.shardCount),
        lastError: clip(record ? record.message : 'did not complete (stopped when the conversion failed, or no attempt could run)'),
      });
    });
  }

  const permanent = pickPermanent(records);
  const verdict = permanent
    ? { code: permanent.code as ConversionFailureCode, reason: permanent.reason, message: permanent.message, problem: permanent.problem, rejected: permanent.rejected }
    : error?.Error === LAMBDA_CRASH_ERROR
    ? {
      code: ConversionFailureCode.CONVERSION_CRASHED,
      reason: FAILURE_REASONS[ConversionFailureCode.CONVERSION_CRASHED],
      message: `A step of the distributed conversion died without returning (${LAMBDA_CRASH_ERROR}: out of memory or out of time) and is not retried, since the same input would crash again: ${clip(error.Cause ?? '')}. Split the upload into smaller zips or raise the step's memory.`,
      problem: undefined,
      rejected: [] as RejectedEntry[],
    }
    : {
      code: ConversionFailureCode.RETRIES_EXHAUSTED,
      reason: FAILURE_REASONS[ConversionFailureCode.RETRIES_EXHAUSTED],
      message: retriesMessage(error, failedItems, itemCount, recordOfItem),
      problem: undefined,
      rejected: [] as RejectedEntry[],
    };

  await cleanUpIncomplete(ref, input.version, services);
  await publishFailure(services, {
    ref, version: input.version, upload: uploadIdentityOf(input), size: input.upload.size, attempts: input.attempt,
    code: verdict.code, reason: verdict.reason, message: verdict.message, problem: verdict.problem, rejected: verdict.rejected,
    failedItems: failedItems.slice(0, MAX_LISTED_ITEMS),
  });
  await work.clear({ keepAbortMarker: true });
  log.warn('Distributed conversion failed', { ...context, code: verdict.code, step: error?.Error, failedItems: failedItems.length, items: itemCount });
  return { code: verdict.code, failedItems: failedItems.length };
}

/** The permanent verdict to report: the planner's, else the lowest work item's, else the finalizer's. */
function pickPermanent(records: readonly FailureRecord[]): FailureRecord | undefined {
  const rank = (r: FailureRecord) => (r.step === 'planner' ? -1 : r.step === 'finalizer' ? Number.MAX_SAFE_INTEGER : r.item ?? 0);
  return records.filter((r) => r.code !== 'transient').sort((a, b) => rank(a) - rank(b))[0];
}

function retriesMessage(error: { Error?: string; Cause?: string } | undefined, failed: readonly FailedWorkItemReference[], itemCount: number, records: Map<number, FailureRecord>): string {
  const step = error?.Error ?? 'an unknown error';
  const cause = causeMessage(error?.Cause);
  const withErrors = failed.filter((f) => records.has(f.item));
  const items = failed.length === 0
    ? ''
    : ` ${failed.length} of ${itemCount} work items did not complete; ${withErrors.length > 0 ? `failed: ${withErrors.slice(0, 5).map((f) => `item ${f.item} (${f.firstShard}..${f.lastShard}): ${f.lastError}`).join('; ')}` : 'none reported an error'}.`;
  return `The distributed conversion failed (${step}${cause ? `: ${cause}` : ''}).${items} Nothing of this version was published; upload the zip again to retry.`;
}

/** Lambda errors arrive as JSON (`errorMessage`, `errorType`); other causes as text. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; errorType?: string };
    if (parsed && typeof parsed.errorMessage === 'string') return clip(`${parsed.errorType ? `${parsed.errorType}: ` : ''}${parsed.errorMessage}`);
  } catch {
    // plain text
  }
  return clip(cause);
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
