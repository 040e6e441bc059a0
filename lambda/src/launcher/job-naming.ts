import { createHash } from 'node:crypto';
import { SAGEMAKER_LIMITS } from '../../../contract/sagemaker-limits';
import { CLIENT_TOKEN_MAX_LENGTH, CLIENT_TOKEN_PATTERN, MAX_JOBS_CEILING, tenantJobNamePrefix } from '../../../contract/launcher';

/** The hex digits of the name hash. */
const NAME_HASH_LENGTH = 8;

/**
 * JSON with object keys sorted at every level and `undefined` members left out: equal values give
 * equal text whatever order their keys were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, member]) => [key, sortKeys(member)]));
  }
  return value;
}

/** SHA-256 (hex) of a job spec's canonical JSON: stored on each job as the spec-hash tag. */
export function specHash(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/**
 * The deterministic name of the job at `index` of a tenant's request:
 * `<prefix>-<tenant>-<client token, lowercased, shortened to fit>-<index>-<8 hex of sha256(token, index, spec hash)>`.
 * The same token, index and spec always give the same name; the hash covers the whole token, so
 * two tokens that share a shortened form still get different names.
 */
export function trainingJobName(prefix: string, tenant: string, clientToken: string, index: number, jobSpecHash: string): string {
  const start = tenantJobNamePrefix(prefix, tenant);
  if (clientToken.length > CLIENT_TOKEN_MAX_LENGTH || !CLIENT_TOKEN_PATTERN.test(clientToken)) {
    throw new Error(`Client token ${JSON.stringify(clientToken)} is not a valid client token.`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= MAX_JOBS_CEILING) {
    throw new Error(`Sweep index ${index} is out of range 0–${MAX_JOBS_CEILING - 1}.`);
  }
  const hash = createHash('sha256').update(`${clientToken}\n${index}\n${jobSpecHash}`).digest('hex').slice(0, NAME_HASH_LENGTH);
  const suffix = `-${index}-${hash}`;
  return `${start}${tokenPart(clientToken, suffix.length, start)}${suffix}`;
}

function tokenPart(clientToken: string, suffixLength: number, start: string): string {
  const room = SAGEMAKER_LIMITS.trainingJobName.max - start.length - suffixLength;
  return clientToken.toLowerCase().slice(0, room).replace(/-+$/, '');
}

/**
 * The start every job name of a tenant's client token shares, whatever the index (`<prefix>-<tenant>-<token,
 * shortened for the longest index>`): what ListTrainingJobs' NameContains looks for to find a token's jobs.
 */
export function clientTokenNameStem(prefix: string, tenant: string, clientToken: string): string {
  const start = tenantJobNamePrefix(prefix, tenant);
  const longestSuffix = `-${MAX_JOBS_CEILING - 1}-`.length + NAME_HASH_LENGTH;
  return `${start}${tokenPart(clientToken, longestSuffix, start)}`;
}
