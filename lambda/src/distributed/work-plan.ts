import { DISTRIBUTED_SCHEMA_VERSION, type DistributedRun, type WorkItemReference } from '../../../contract/distributed-conversion';
import type { ConversionPlan, RejectedEntry, ShardPlan, ShardResult } from '../dataset';
import type { WorkLayout } from './work-layout';

/** What every worker needs besides its shards (small: no entry lists). */
export type PlanHeader = Omit<ConversionPlan, 'shards' | 'skipped' | 'rejected'>;

/** `plan.json`: the plan without its shards, and the work items. */
export interface PlanDocument {
  readonly schemaVersion: typeof DISTRIBUTED_SCHEMA_VERSION;
  /** When the planner started: the manifest's `timing.startedAt`. */
  readonly startedAt: string;
  readonly run: DistributedRun;
  readonly plan: Omit<ConversionPlan, 'shards'>;
  readonly shardCount: number;
  readonly items: readonly WorkItemReference[];
}

/** `items/<item>.json`: one work item's shards, each with every planned image, in record order. */
export interface WorkItemDocument {
  readonly schemaVersion: typeof DISTRIBUTED_SCHEMA_VERSION;
  readonly item: number;
  readonly header: PlanHeader;
  readonly shards: readonly ShardPlan[];
}

/** `results/<item>.json`: what `convertShards` returned for the item's shards. */
export interface WorkItemResultDocument {
  readonly schemaVersion: typeof DISTRIBUTED_SCHEMA_VERSION;
  readonly item: number;
  readonly results: readonly ShardResult[];
}

/** `failures/<step>.json`: a permanent verdict, as the failure event reports it. */
export interface FailureRecord {
  readonly schemaVersion: typeof DISTRIBUTED_SCHEMA_VERSION;
  readonly step: string;
  readonly item?: number;
  readonly code: string;
  readonly reason: string;
  readonly message: string;
  readonly problem?: string;
  readonly rejected: readonly RejectedEntry[];
}

/** Most images in one work item (unless one shard has more): its item file stays a few tens of MB of JSON. */
export const MAX_IMAGES_PER_ITEM = 200_000;

/**
 * Pure: groups the plan's shards, in index order, into work items of whole consecutive shards of
 * about `targetItemBytes` declared image bytes and at most MAX_IMAGES_PER_ITEM images each (at
 * least one shard per item). The shards
 * already mix the whole zip (the core deals shuffle units of neighbouring images to shards by a
 * seeded permutation), so an item's reads are a handful of long sequential ranges per shard.
 */
export function groupShardsIntoItems(shards: readonly ShardPlan[], targetItemBytes: number, layout: WorkLayout): WorkItemReference[] {
  if (!(targetItemBytes > 0)) throw new RangeError(`targetItemBytes must be positive, got ${targetItemBytes}`);
  const items: WorkItemReference[] = [];
  let first = -1;
  let bytes = 0;
  const close = (last: number) => {
    items.push({ item: items.length, key: layout.itemKey(items.length), firstShard: first, lastShard: last, imageBytes: bytes });
    first = -1;
    bytes = 0;
  };
  let images = 0;
  shards.forEach((shard, i) => {
    if (shard.index !== i) throw new Error(`internal error: shard ${i} has index ${shard.index}`);
    if (first >= 0 && (bytes + shard.imageBytes > targetItemBytes || images + shard.images.length > MAX_IMAGES_PER_ITEM)) {
      close(i - 1);
      images = 0;
    }
    if (first < 0) first = i;
    bytes += shard.imageBytes;
    images += shard.images.length;
  });
  if (first >= 0) close(shards.length - 1);
  return items;
}

/** The header every item file carries. */
export function planHeader(plan: ConversionPlan): PlanHeader {
  return {
    converter: plan.converter,
    source: plan.source,
    options: plan.options,
    labeled: plan.labeled,
    wrapperFolder: plan.wrapperFolder,
    classNames: plan.classNames,
    entryCount: plan.entryCount,
    split: plan.split,
  };
}

/** The plan without its shards (they are in the item files): what `plan.json` holds. */
export function planWithoutShards(plan: ConversionPlan): Omit<ConversionPlan, 'shards'> {
  return { ...planHeader(plan), skipped: plan.skipped, rejected: plan.rejected };
}

/**
 * The plan a worker hands to `convertShards` for its shards: the header plus only its shards.
 * `convertShards` names and indexes its results by each ShardPlan's own `index` and `name` (the
 * global ones), so the results are exactly those the whole plan would give for these shards.
 * Skipped and plan-level rejected entries are the finalizer's business, not a worker's.
 */
export function workerPlan(document: WorkItemDocument): ConversionPlan {
  return { ...document.header, shards: document.shards, skipped: [], rejected: [] };
}

/**
 * The whole plan again, from `plan.json` and every item file: what `finishConversion` checks the
 * results against. Every shard 0..shardCount-1 must come from exactly one item.
 */
export function assemblePlan(planDocument: PlanDocument, items: readonly WorkItemDocument[]): ConversionPlan {
  const shards: ShardPlan[] = new Array(planDocument.shardCount);
  for (const document of items) {
    for (const shard of document.shards) {
      if (shard.index < 0 || shard.index >= planDocument.shardCount || shards[shard.index]) {
        throw new Error(`internal error: shard ${shard.index} of item ${document.item} is out of range or planned twice`);
      }
      shards[shard.index] = shard;
    }
  }
  const missing = shards.findIndex((s) => s === undefined);
  if (missing >= 0 || shards.length !== planDocument.shardCount) throw new Error(`internal error: shard ${missing} is in no work item`);
  return { ...planDocument.plan, shards };
}
