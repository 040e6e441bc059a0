import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DISTRIBUTED_SCHEMA_VERSION } from '../../../contract/distributed-conversion';
import { isNotFound, type S3DatasetStore } from '../aws';
import type { ShardResult } from '../dataset';
import type { WorkLayout } from './work-layout';
import type { FailureRecord, PlanDocument, WorkItemDocument, WorkItemResultDocument } from './work-plan';

/** Concurrent S3 requests when reading or writing many work files. */
const PARALLEL_REQUESTS = 16;

/** The work files of one version (see {@link WorkLayout}) in the dataset bucket. */
export class WorkFiles {
  constructor(
    private readonly s3: S3Client,
    private readonly datasets: S3DatasetStore,
    readonly layout: WorkLayout,
  ) {}

  get bucket(): string {
    return this.datasets.bucket;
  }

  async writePlan(document: PlanDocument): Promise<void> {
    await this.putJson(this.layout.planKey, document);
  }

  async readPlan(): Promise<PlanDocument | undefined> {
    return this.getJson<PlanDocument>(this.layout.planKey);
  }

  /** `items.jsonl`: one line per item, as the Distributed Map's ItemReader (InputType JSONL) reads it. */
  async writeItemList(lines: readonly object[]): Promise<void> {
    await this.s3.send(new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.layout.itemsKey,
      Body: lines.map((line) => `${JSON.stringify(line)}\n`).join(''),
      ContentType: 'application/jsonl',
    }));
  }

  async readItemList<T>(): Promise<T[]> {
    const text = await this.getText(this.layout.itemsKey);
    if (text === undefined) throw new Error(`s3://${this.bucket}/${this.layout.itemsKey} does not exist`);
    return text.split('\n').filter((line) => line.trim().length > 0).map((line) => JSON.parse(line) as T);
  }

  async writeItems(documents: readonly WorkItemDocument[]): Promise<void> {
    await forEachLimited(documents, PARALLEL_REQUESTS, (document) => this.putJson(this.layout.itemKey(document.item), document));
  }

  async readItem(item: number): Promise<WorkItemDocument> {
    const document = await this.getJson<WorkItemDocument>(this.layout.itemKey(item));
    if (!document) throw new Error(`work item ${item} has no item file (s3://${this.bucket}/${this.layout.itemKey(item)})`);
    return document;
  }

  async readItems(items: readonly number[]): Promise<WorkItemDocument[]> {
    return mapLimited(items, PARALLEL_REQUESTS, (item) => this.readItem(item));
  }

  async writeResult(item: number, results: readonly ShardResult[]): Promise<void> {
    const document: WorkItemResultDocument = { schemaVersion: DISTRIBUTED_SCHEMA_VERSION, item, results };
    await this.putJson(this.layout.resultKey(item), document);
  }

  async readResult(item: number): Promise<WorkItemResultDocument | undefined> {
    return this.getJson<WorkItemResultDocument>(this.layout.resultKey(item));
  }

  /** The result documents of `items`, in order; undefined where an item has none. */
  async readResults(items: readonly number[]): Promise<(WorkItemResultDocument | undefined)[]> {
    return mapLimited(items, PARALLEL_REQUESTS, (item) => this.readResult(item));
  }

  async recordFailure(record: Omit<FailureRecord, 'schemaVersion'>): Promise<void> {
    const key = this.layout.failureKey(record.step === 'planner' || record.step === 'finalizer' ? record.step : record.item!);
    await this.putJson(key, { schemaVersion: DISTRIBUTED_SCHEMA_VERSION, ...record });
  }

  async readFailures(): Promise<FailureRecord[]> {
    const keys = (await this.list(this.layout.failuresPrefix)).map((o) => o.key).sort();
    const records = await mapLimited(keys, PARALLEL_REQUESTS, (key) => this.getJson<FailureRecord>(key));
    return records.filter((r): r is FailureRecord => r !== undefined);
  }

  /** Written first by the failure handler: running workers see it and remove their shards. */
  async markAborted(reason: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.layout.abortedKey, Body: `${reason}\n`, ContentType: 'text/plain; charset=utf-8' }));
  }

  async isAborted(): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.layout.abortedKey }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Removes the work files; with `keepAbortMarker`, the ABORTED marker stays for late workers. */
  async clear(options: { keepAbortMarker?: boolean } = {}): Promise<number> {
    return this.datasets.deletePrefix(this.layout.prefix, options.keepAbortMarker ? (key) => key !== this.layout.abortedKey : undefined);
  }

  /** Removes everything below `prefix` (within the dataset bucket). */
  async deletePrefix(prefix: string): Promise<number> {
    return this.datasets.deletePrefix(prefix);
  }

  /** Keys and sizes below `prefix` (all pages). */
  async list(prefix: string): Promise<{ key: string; size: number }[]> {
    const found: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) found.push({ key: object.Key, size: object.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  private async putJson(key: string, value: unknown): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json' }));
  }

  private async getJson<T>(key: string): Promise<T | undefined> {
    const text = await this.getText(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  private async getText(key: string): Promise<string | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await response.Body!.transformToString('utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  await mapLimited(items, limit, task);
}
