import type { LaunchRequestFieldError } from '../../../contract/launch-request';

/** The longest value a message quotes, the longest message and path, and the most errors a rejection lists. */
export const ECHO_LIMITS = { quoted: 120, message: 1000, path: 300, errors: 100 } as const;

/**
 * Cuts a text to `max` characters, saying how much was left out: what a response echoes of a
 * caller's value stays small whatever the caller sent.
 */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more characters)`;
}

/** A value as a message quotes it: JSON, at most {@link ECHO_LIMITS.quoted} characters of it. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(truncate(text, ECHO_LIMITS.quoted));
}

/**
 * Bounds a list of errors for a response: each path and message truncated, at most
 * {@link ECHO_LIMITS.errors} errors and a last one saying how many were left out. Whatever a request
 * holds, a rejection stays in the low hundreds of kilobytes, far below Lambda's 6 MB response limit.
 */
export function boundErrors(errors: readonly LaunchRequestFieldError[]): LaunchRequestFieldError[] {
  const bounded = errors.slice(0, ECHO_LIMITS.errors).map((error) => ({
    path: truncate(error.path, ECHO_LIMITS.path),
    message: truncate(error.message, ECHO_LIMITS.message),
  }));
  if (errors.length > ECHO_LIMITS.errors) {
    bounded.push({ path: 'request', message: `has ${errors.length - ECHO_LIMITS.errors} more errors not listed; fix these and send it again` });
  }
  return bounded;
}

/**
 * Whether a key prints without quoting in a path (letters, digits, `_`, `-`). A loop, not
 * `/^[A-Za-z0-9_-]+$/`: V8 runs that `+` over a multi-megabyte key out of backtracking stack
 * ("Maximum call stack size exceeded").
 */
function isPlainKey(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
    if (!plain) return false;
  }
  return true;
}

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
      const shown = truncate(key, ECHO_LIMITS.quoted);
      text += isPlainKey(key) ? `${text ? '.' : ''}${shown}` : `[${JSON.stringify(shown)}]`;
    }
  }
  return text || 'request';
}

/** Drops exact duplicates, keeping the first occurrence (and so the order errors were found in). */
export function uniqueErrors(errors: readonly LaunchRequestFieldError[]): LaunchRequestFieldError[] {
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
  constructor(public readonly errors: readonly LaunchRequestFieldError[]) {
    super(`The launch request is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n` +
      errors.map((error) => `  ${error.path}: ${error.message}`).join('\n'));
    this.name = 'RequestValidationError';
  }
}
