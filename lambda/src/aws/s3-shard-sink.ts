import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { ShardWriterBase, type ShardSink, type ShardWriter, type ShardWriterEvents } from '../io';
import { checkOutputPath } from '../io/output-path';

export interface S3ShardSinkOptions {
  /** Multipart part size. Default 8 MiB (S3's minimum is 5 MiB). */
  readonly partSize?: number;
  /** Parts uploaded in parallel per output. Default 4. */
  readonly queueSize?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * Writes each output to `s3://<bucket>/<prefix><name>` with @aws-sdk/lib-storage's Upload:
 * a multipart upload once the output passes one part, a single PUT below that. S3 publishes an
 * object only when its upload completes, so nothing is visible under a name until finish()
 * resolves; abort() aborts the uploads in progress and deletes what this sink published, so a
 * failed conversion leaves no shard behind. Memory: about partSize × (queueSize + 1) per open output.
 */
export class S3ShardSink implements ShardSink {
  readonly description: string;
  private readonly published = new Set<string>();
  private readonly open_ = new Set<S3ShardWriter>();
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    readonly prefix: string,
    options: S3ShardSinkOptions = {},
  ) {
    this.description = `s3://${bucket}/${prefix}`;
    this.partSize = Math.max(MIN_PART_SIZE, options.partSize ?? 8 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 4;
  }

  /** Keys this sink has published, in order. */
  get publishedKeys(): string[] {
    return [...this.published];
  }

  async open(name: string): Promise<ShardWriter> {
    checkOutputPath(name);
    const key = `${this.prefix}${name}`;
    const writer: S3ShardWriter = new S3ShardWriter(name, key, this.startUpload(key, name), {
      published: () => this.published.add(key),
      closed: () => this.open_.delete(writer),
    });
    this.open_.add(writer);
    return writer;
  }

  async abort(): Promise<void> {
    await Promise.all([...this.open_].map((writer) => writer.abort()));
    const keys = [...this.published];
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const result = await this.client.send(new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }));
      if (result.Errors && result.Errors.length > 0) {
        const first = result.Errors[0];
        throw new Error(`${this.description}: could not delete ${result.Errors.length} published output(s) while aborting, e.g. ${first.Key}: ${first.Code} ${first.Message}`);
      }
    }
    this.published.clear();
  }

  private startUpload(key: string, name: string): { body: PassThrough; upload: Upload } {
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType(name) },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    return { body, upload };
  }
}

function contentType(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.txt')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

class S3ShardWriter extends ShardWriterBase {
  private readonly body: PassThrough;
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;

  constructor(
    name: string,
    readonly key: string,
    started: { body: PassThrough; upload: Upload },
    events: ShardWriterEvents,
  ) {
    super(name, events);
    this.body = started.body;
    this.upload = started.upload;
    this.done = this.upload.done();
    this.done.catch((error: unknown) => {
      this.failure ??= error;
    });
  }

  protected async store(chunk: Uint8Array): Promise<void> {
    if (!this.body.write(chunk)) {
      // Backpressure: wait until the upload takes more, or fails.
      await Promise.race([once(this.body, 'drain'), this.done]);
      if (this.failure !== undefined) throw this.failure;
    }
  }

  protected async commit(): Promise<void> {
    this.body.end();
    await this.done;
  }

  protected async discard(): Promise<void> {
    try {
      await this.upload.abort();
    } catch {
      // The upload may not have started a multipart upload yet; nothing to abort then.
    }
    this.body.destroy();
    await this.done.catch(() => undefined);
  }
}
