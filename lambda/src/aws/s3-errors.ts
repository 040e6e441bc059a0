/** Classifies S3 SDK errors by name and HTTP status (the SDK's modeled classes vary by operation). */

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function name(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

/** 404: NoSuchKey (GET), NotFound (HEAD), NoSuchVersion. */
export function isNotFound(error: unknown): boolean {
  const n = name(error);
  return n === 'NoSuchKey' || n === 'NotFound' || n === 'NoSuchVersion' || status(error) === 404;
}

/**
 * A conditional request lost: 412 PreconditionFailed (If-Match / If-None-Match), or 409
 * ConditionalRequestConflict (S3: a concurrent conditional write to the same key is in progress).
 */
export function isPreconditionFailed(error: unknown): boolean {
  const n = name(error);
  return n === 'PreconditionFailed' || n === 'ConditionalRequestConflict' || status(error) === 412;
}

export function isConditionalConflict(error: unknown): boolean {
  return isPreconditionFailed(error) || status(error) === 409;
}
