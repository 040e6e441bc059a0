import { WORK_KEY_PREFIX } from '../../../contract/distributed-conversion';
import { DATASET_PREFIX, versionPrefix, type DatasetChannelRef } from '../catalog';

/**
 * The working files of one distributed conversion, in the dataset bucket below
 * `ingestion-work/<tenant>/<datasetId>/<channel>/<version>/`:
 *
 *   plan.json               the plan without its shards (layout, labels, options, skipped and
 *                           rejected entries) and the list of work items; the finalizer's input
 *   items.jsonl             one small line per work item: what the Distributed Map iterates
 *   items/<item>.json       the shards (with every planned image) of one work item
 *   results/<item>.json     a worker's shard results (records, bytes, checksum, class counts, rejections)
 *   failures/<step>.json    a permanent verdict (hostile zip, unacceptable dataset, upload changed)
 *   ABORTED                 written by the failure handler: running workers remove their shards and stop
 *   progress/<step>         created once (If-None-Match) by the worker whose completion reached that 10 % step
 */
export class WorkLayout {
  /** `ingestion-work/<tenant>/<datasetId>/<channel>/<version>/` */
  readonly prefix: string;

  constructor(readonly ref: DatasetChannelRef, readonly version: string) {
    this.prefix = `${WORK_KEY_PREFIX}${versionPrefix(ref, version).slice(DATASET_PREFIX.length)}`;
  }

  get planKey(): string {
    return `${this.prefix}plan.json`;
  }

  get itemsKey(): string {
    return `${this.prefix}items.jsonl`;
  }

  get abortedKey(): string {
    return `${this.prefix}ABORTED`;
  }

  get failuresPrefix(): string {
    return `${this.prefix}failures/`;
  }

  get resultsPrefix(): string {
    return `${this.prefix}results/`;
  }

  /** The marker of a 10 % progress step (1–9): whoever creates it reports that step. */
  progressKey(step: number): string {
    return `${this.prefix}progress/${step}`;
  }

  itemKey(item: number): string {
    return `${this.prefix}items/${itemName(item)}.json`;
  }

  resultKey(item: number): string {
    return `${this.resultsPrefix}${itemName(item)}.json`;
  }

  /** `failures/planner.json`, `failures/finalizer.json` or `failures/item-00042.json`. */
  failureKey(step: 'planner' | 'finalizer' | number): string {
    return `${this.failuresPrefix}${typeof step === 'number' ? `item-${itemName(step)}` : step}.json`;
  }
}

function itemName(item: number): string {
  if (!Number.isSafeInteger(item) || item < 0) throw new Error(`invalid work item number ${item}`);
  return String(item).padStart(5, '0');
}
