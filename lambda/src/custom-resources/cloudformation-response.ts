import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';

/** What a custom resource's work produced: its physical id and the attributes `Fn::GetAtt` reads. */
export interface CustomResourceOutcome {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

/** The work of one request; it throws to fail the request. */
export type CustomResourceWork = (event: CloudFormationCustomResourceEvent) => Promise<CustomResourceOutcome>;

/** Sends a response body to the request's pre-signed response URL. */
export type ResponseSender = (responseUrl: string, body: string) => Promise<void>;

/** CloudFormation accepts response bodies up to 4096 bytes; the reason is shortened to fit. */
export const MAX_RESPONSE_BYTES = 4096;

/** How long before the Lambda timeout the handler gives up and answers FAILED itself. */
export const TIMEOUT_MARGIN_MS = 5_000;

/**
 * The response body of one request. The reason names the handler's log stream, and is shortened
 * (never the ids) so the body stays within CloudFormation's 4096-byte limit.
 */
export function responseBody(event: CloudFormationCustomResourceEvent, status: 'SUCCESS' | 'FAILED', outcome: CustomResourceOutcome,
  logStreamName: string, reason = ''): string {
  const response = (text: string): CloudFormationCustomResourceResponse => ({
    Status: status,
    Reason: `${text ? `${text} ` : ''}Log stream: ${logStreamName}`,
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: outcome.data ?? {},
  });
  const body = JSON.stringify(response(reason));
  if (Buffer.byteLength(body) <= MAX_RESPONSE_BYTES) return body;
  // The longest prefix of the reason that fits, found by bisection (JSON escaping makes bytes per character vary).
  const shortened = (length: number) => JSON.stringify(response(length > 0 ? `${reason.slice(0, length)}… (truncated)` : ''));
  let fits = 0;
  let tooLong = reason.length;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (Buffer.byteLength(shortened(middle)) <= MAX_RESPONSE_BYTES) fits = middle;
    else tooLong = middle;
  }
  return shortened(fits);
}

/** PUTs the body to the pre-signed URL as CloudFormation expects (empty content type). */
export const putResponse: ResponseSender = async (responseUrl, body) => {
  const response = await fetch(responseUrl, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) {
    throw new Error(`CloudFormation's response URL answered ${response.status} ${response.statusText}: ${(await response.text()).slice(0, 500)}`);
  }
};

/** The physical id a request keeps when its work fails: the current one, or a placeholder for a failed create. */
function currentPhysicalId(event: CloudFormationCustomResourceEvent): string {
  return 'PhysicalResourceId' in event ? event.PhysicalResourceId : `${event.LogicalResourceId}-not-created`;
}

/**
 * A Lambda handler for a CloudFormation custom resource that answers every request exactly once:
 * SUCCESS with the work's outcome, FAILED with the error's message when the work throws, and
 * FAILED shortly before the function would time out, so a stack never waits an hour for an
 * answer. Only a response that cannot be sent throws, and Lambda retries the invocation.
 */
export function customResourceHandler(work: CustomResourceWork, send: ResponseSender = putResponse) {
  return async (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'logStreamName' | 'getRemainingTimeInMillis'>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      const remaining = context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS;
      timer = setTimeout(() => reject(new Error(`${event.RequestType} did not finish before the function's timeout.`)), Math.max(0, remaining));
    });
    let body: string;
    try {
      const outcome = await Promise.race([work(event), deadline]);
      body = responseBody(event, 'SUCCESS', outcome, context.logStreamName);
    } catch (error) {
      const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
      console.error(JSON.stringify({ message: 'custom resource request failed', requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, error: message }));
      body = responseBody(event, 'FAILED', { physicalResourceId: currentPhysicalId(event) }, context.logStreamName, message);
    } finally {
      clearTimeout(timer);
    }
    await send(event.ResponseURL, body);
  };
}
