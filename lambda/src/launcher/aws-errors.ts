/** What the launcher needs to know about an AWS SDK error. */
interface AwsErrorLike {
  readonly name?: string;
  readonly Code?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function asAwsError(error: unknown): AwsErrorLike {
  return typeof error === 'object' && error !== null ? (error as AwsErrorLike) : { message: String(error) };
}

/** The error's code (`ThrottlingException`, `ResourceInUse` …). */
export function errorCode(error: unknown): string {
  const e = asAwsError(error);
  return e.name ?? e.Code ?? e.code ?? 'Error';
}

export function errorMessage(error: unknown): string {
  return asAwsError(error).message ?? String(error);
}

const THROTTLING_CODES = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ProvisionedThroughputExceededException']);

/** Throttling: "Rate exceeded", HTTP 429 and the codes AWS services use for it. */
export function isThrottling(error: unknown): boolean {
  const e = asAwsError(error);
  return THROTTLING_CODES.has(errorCode(error)) || e.$metadata?.httpStatusCode === 429 || /rate exceeded/i.test(e.message ?? '');
}

const TRANSIENT_CODES = new Set(['InternalFailure', 'InternalError', 'InternalServerError', 'ServiceUnavailable', 'ServiceUnavailableException',
  'RequestTimeout', 'RequestTimeoutException', 'TimeoutError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** Worth retrying: throttling, server-side (5xx) and connection errors. */
export function isRetryableError(error: unknown): boolean {
  const e = asAwsError(error);
  const status = e.$metadata?.httpStatusCode;
  return isThrottling(error) || TRANSIENT_CODES.has(errorCode(error)) || (status !== undefined && status >= 500) || Boolean(e.$retryable);
}

/** CreateTrainingJob: a job with this name exists already. */
export function isResourceInUse(error: unknown): boolean {
  return errorCode(error) === 'ResourceInUse';
}

/** CreateTrainingJob: an account quota (concurrent jobs, instances of a type) is used up. */
export function isResourceLimitExceeded(error: unknown): boolean {
  return errorCode(error) === 'ResourceLimitExceeded';
}

/**
 * DescribeTrainingJob on a name that does not exist. SageMaker answers ValidationException
 * "Requested resource not found." (moto: "Could not find training job …"); ResourceNotFound is
 * accepted too.
 */
export function isJobNotFound(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ResourceNotFound' || (code === 'ValidationException' && /not found|could not find/i.test(errorMessage(error)));
}
