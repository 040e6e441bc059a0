/** One problem with one field of a launch request, e.g. `sweep.grid.learning_rate[2]`. */
export interface FieldError {
  /** Where: dotted keys and `[index]`, `request` for the request itself. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** Keys that print without quoting in a path. */
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Formats a path: `['sweep', 'grid', 'learning_rate', 2]` → `sweep.grid.learning_rate[2]`;
 * keys with other characters are quoted (`channels["my.channel"]`).
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') {
      text += `[${part}]`;
    } else {
      const key = String(part);
      text += PLAIN_KEY.test(key) ? `${text ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
    }
  }
  return text || 'request';
}

/** Drops exact duplicates, keeping the first occurrence (and so the order errors were found in). */
export function uniqueErrors(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.path}\n${error.message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** Thrown when a request is invalid; carries every field error. */
export class RequestValidationError extends Error {
  constructor(public readonly errors: readonly FieldError[]) {
    super(`The launch request is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n` +
      errors.map((error) => `  ${error.path}: ${error.message}`).join('\n'));
    this.name = 'RequestValidationError';
  }
}
