/** Classifies S3 SDK errors by name and HTTP status (the SDK's modeled classes vary by operation). */

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function name(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

/**
 * The object (or object version) does not exist: NoSuchKey (GET), NotFound (HEAD has no body),
 * NoSuchVersion, or another 404 — but not NoSuchBucket, which is a configuration problem.
 * Without s3:ListBucket, S3 answers 403 instead of 404 for a missing key; the construct grants it.
 */
export function isNotFound(error: unknown): boolean {
  const n = name(error);
  if (n === 'NoSuchBucket') return false;
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
