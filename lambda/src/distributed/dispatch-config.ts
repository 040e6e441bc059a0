import { z } from 'zod';
import { DISPATCH_ENV } from '../../../contract/distributed-conversion';

/** What the dispatcher reads from its environment, checked at cold start. */
export interface DispatchConfig {
  readonly datasetBucket: string;
  readonly stateMachineArn: string;
  readonly backlogQueueUrl: string;
  readonly maxConcurrentConversions: number;
}

const environment = z.object({
  [DISPATCH_ENV.DATASET_BUCKET]: z.string().min(3),
  [DISPATCH_ENV.STATE_MACHINE_ARN]: z.string().startsWith('arn:'),
  [DISPATCH_ENV.BACKLOG_QUEUE_URL]: z.string().startsWith('http'),
  [DISPATCH_ENV.MAX_CONCURRENT_CONVERSIONS]: z.coerce.number().int().positive(),
});

export function readDispatchConfig(env: NodeJS.ProcessEnv): DispatchConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) throw new Error(`The distributed conversion dispatcher is misconfigured: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    datasetBucket: e[DISPATCH_ENV.DATASET_BUCKET],
    stateMachineArn: e[DISPATCH_ENV.STATE_MACHINE_ARN],
    backlogQueueUrl: e[DISPATCH_ENV.BACKLOG_QUEUE_URL],
    maxConcurrentConversions: e[DISPATCH_ENV.MAX_CONCURRENT_CONVERSIONS],
  };
}
