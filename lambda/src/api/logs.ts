import type { ApiConfig } from './config';
import { LogLine, MAX_LOG_LINES_PER_CALL, ReadLogsResponse } from '../../../contract/platform-api';
import { badRequest } from './errors';
import type { JobOperations } from './jobs';
import type { LogStore } from './ports';

/** Where a reader stands in each of a job's log streams (one per instance): stream → forward token. */
type LogCursor = Record<string, string>;

export function encodeLogCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeLogCursor(text: string | undefined): LogCursor {
  if (!text) return {};
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((token) => typeof token === 'string')) {
      return value as LogCursor;
    }
  } catch {
    // reported below
  }
  throw badRequest('cursor is not a cursor this API returned; leave it out to read from the start.');
}

/**
 * Reads a job's log lines from CloudWatch Logs (`/aws/sagemaker/TrainingJobs`, streams
 * `<job>/algo-<n>-<time>`), from a cursor on, merged across instances by time. Following is
 * calling again with the returned cursor.
 */
export class LogOperations {
  constructor(
    private readonly config: ApiConfig,
    private readonly jobs: JobOperations,
    private readonly logs: LogStore,
  ) {}

  async read(tenant: string, name: string, query: Readonly<Record<string, string | undefined>>): Promise<ReadLogsResponse> {
    await this.jobs.owned(tenant, name);
    const limit = query.limit === undefined ? MAX_LOG_LINES_PER_CALL : Number(query.limit);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LOG_LINES_PER_CALL) {
      throw badRequest(`limit must be a whole number from 1 to ${MAX_LOG_LINES_PER_CALL} (got ${JSON.stringify(query.limit)}).`);
    }
    const cursor = decodeLogCursor(query.cursor);
    // The trailing slash keeps job `x-1` from reading the streams of job `x-10`.
    const streams = (await this.logs.streams(this.config.trainingLogGroup, `${name}/`)).sort();
    const next: LogCursor = { ...cursor };
    const lines: LogLine[] = [];
    for (const stream of streams) {
      const room = limit - lines.length;
      if (room <= 0) break;
      const page = await this.logs.read(this.config.trainingLogGroup, stream, cursor[stream], room);
      for (const event of page.events) {
        lines.push({ timestamp: new Date(event.timestamp).toISOString(), stream, message: event.message.replace(/\n$/, '') });
      }
      if (page.nextToken) next[stream] = page.nextToken;
    }
    lines.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    return { lines, cursor: encodeLogCursor(next) };
  }
}
