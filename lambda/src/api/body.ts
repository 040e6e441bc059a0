import { badRequest } from './errors';

/** Reads a JSON object body; anything else is a 400 that says what was expected. */
export function jsonBody(body: string | null | undefined, isBase64Encoded = false): Record<string, unknown> {
  if (!body) {
    throw badRequest('The request needs a JSON object body.');
  }
  let value: unknown;
  try {
    value = JSON.parse(isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body);
  } catch (error) {
    throw badRequest(`The body is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** A whole number in [min, max], or a 400 naming the field. */
export function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(`${field} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)}).`);
  }
  return value;
}

/** Fields of `body` that are not in `allowed` are a 400 (a typo must not be silently ignored). */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw badRequest(`Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the fields are ${allowed.join(', ')}.`);
  }
}
