/** Bounded exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The backoff cap of the first retry; doubles each retry. */
  readonly baseDelayMs: number;
  /** The largest backoff cap. */
  readonly maxDelayMs: number;
}

/** The launcher's default: 6 attempts, waits drawn from [0, 0.25 s], [0, 0.5 s] … [0, 4 s] (at most ~7.75 s in all). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 4000 };

/** Clock and randomness, injectable for tests. */
export interface RetryEnvironment {
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const REAL_RETRY_ENVIRONMENT: RetryEnvironment = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The wait before retry `retry` (1-based): uniform in [0, min(maxDelay, base · 2^(retry-1))]. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * (cap + 1));
}

/**
 * Runs `operation`, retrying while `isRetryable(error)` and attempts remain; the last error
 * propagates. `onRetry` hears about each retry (for logs).
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  environment: RetryEnvironment = REAL_RETRY_ENVIRONMENT,
  onRetry?: (error: unknown, retry: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.maxAttempts || !isRetryable(error)) {
        throw error;
      }
      const delay = backoffDelay(policy, attempt, environment.random);
      onRetry?.(error, attempt, delay);
      await environment.sleep(delay);
    }
  }
}
