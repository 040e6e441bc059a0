/**
 * The platform's tenants as its functions see them at runtime: who belongs to which tenant, the
 * tenant's quotas and the IAM roles that act for it. Dependency-free on purpose: the CDK library
 * (lib/tenancy) writes this shape into the `PLATFORM_TENANTS` environment variable and the
 * launcher, the API handlers and the CLI read it with {@link parseTenantDirectory}.
 *
 * Caller → tenant: a caller belongs to the tenant whose principal ARN patterns match its ARN
 * ({@link tenantOfPrincipal}, IAM-authorized API calls) or whose claim values contain the value of
 * the platform's tenant claim ({@link tenantOfClaims}, JWT-authorized calls). A caller that matches
 * no tenant, or more than one, belongs to none: the API refuses it. The request body never names
 * the tenant.
 */

/** The environment variable that holds the JSON {@link TenantDirectory}. */
export const TENANTS_ENV = 'PLATFORM_TENANTS';

/**
 * The area of platform-owned datasets every tenant may read (and none may write through the
 * platform): `datasets/shared/…`. Never a tenant name.
 */
export const SHARED_AREA = 'shared';

/**
 * The tag every training job carries with its tenant's name; IAM conditions on it
 * (`aws:RequestTag/…` when creating, `aws:ResourceTag/…` when stopping, describing, tagging).
 */
export const TENANT_TAG = 'cdk-sagemaker-datasets:tenant';

/**
 * Tenant names: a lowercase letter, then lowercase letters and digits, at most 16 characters. No
 * hyphens: the name is a segment of job names (`<prefix>-<tenant>-…`) and IAM matches a tenant's
 * jobs with `<prefix>-<tenant>-*`, which must never match another tenant's (`team` vs `team-a`).
 */
export const TENANT_NAME_PATTERN = /^[a-z][a-z0-9]{0,15}$/;
export const TENANT_NAME_RULE = 'a lowercase letter followed by up to 15 lowercase letters or digits (no hyphens: the name is a job-name segment)';

/** One tenant as the platform's functions see it. */
export interface TenantDescriptor {
  readonly name: string;
  /** IAM principal ARN patterns (`*` and `?` wildcards) of the tenant's members. */
  readonly principalArnPatterns: readonly string[];
  /** Values of the platform's tenant claim (JWT) that mean this tenant. */
  readonly claimValues: readonly string[];
  /** The most training jobs of this tenant that may be InProgress at once, or absent for no quota. */
  readonly maxConcurrentJobs?: number;
  /** The instance types this tenant may use (a subset of the launcher's), or absent for all of them. */
  readonly allowedInstanceTypes?: readonly string[];
  /** The SageMaker execution role of this tenant's jobs. */
  readonly executionRoleArn: string;
  /** The role the platform (launcher, API) assumes to act for this tenant. */
  readonly accessRoleArn: string;
  /** Whether the tenant's jobs may read the shared area (`datasets/shared/…`). */
  readonly readsSharedDatasets: boolean;
}

/** Every tenant of a platform. */
export interface TenantDirectory {
  readonly tenants: readonly TenantDescriptor[];
}

/** A tenant directory that does not parse; names the problem. */
export class TenantDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantDirectoryError';
  }
}

/** Why a tenant name is refused, or undefined when it is valid. */
export function tenantNameProblem(name: string): string | undefined {
  if (!TENANT_NAME_PATTERN.test(name)) {
    return `must be ${TENANT_NAME_RULE}`;
  }
  if (name === SHARED_AREA) {
    return `is reserved for the platform's shared datasets (datasets/${SHARED_AREA}/…)`;
  }
  return undefined;
}

/** Reads the JSON of {@link TENANTS_ENV}; every problem is reported at once, naming the tenant and field. */
export function parseTenantDirectory(text: string | undefined): TenantDirectory {
  if (text === undefined || text === '') {
    throw new TenantDirectoryError(`${TENANTS_ENV} is not set: the platform's constructs set it to the JSON list of tenants; redeploy.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new TenantDirectoryError(`${TENANTS_ENV} is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  const problems: string[] = [];
  const list = (raw as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TenantDirectoryError(`${TENANTS_ENV} must be { "tenants": [ … ] } with at least one tenant.`);
  }
  const tenants = list.map((entry, index) => readTenant(entry, `${TENANTS_ENV} tenants[${index}]`, problems));
  const seen = new Set<string>();
  for (const tenant of tenants) {
    if (seen.has(tenant.name)) {
      problems.push(`${TENANTS_ENV}: tenant ${JSON.stringify(tenant.name)} is listed twice`);
    }
    seen.add(tenant.name);
  }
  if (problems.length > 0) {
    throw new TenantDirectoryError(`${TENANTS_ENV} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return { tenants };
}

function readTenant(entry: unknown, where: string, problems: string[]): TenantDescriptor {
  const value = (entry ?? {}) as Record<string, unknown>;
  const text = (field: string): string => {
    const member = value[field];
    if (typeof member !== 'string' || member === '') {
      problems.push(`${where}.${field} must be a non-empty string`);
      return '';
    }
    return member;
  };
  const strings = (field: string, optional: boolean): string[] | undefined => {
    const member = value[field];
    if (member === undefined && optional) {
      return undefined;
    }
    if (!Array.isArray(member) || member.some((item) => typeof item !== 'string' || item === '')) {
      problems.push(`${where}.${field} must be a list of non-empty strings`);
      return [];
    }
    return member as string[];
  };
  const name = text('name');
  const nameProblem = name === '' ? undefined : tenantNameProblem(name);
  if (nameProblem) {
    problems.push(`${where}.name ${JSON.stringify(name)} ${nameProblem}`);
  }
  const maxConcurrentJobs = value.maxConcurrentJobs;
  if (maxConcurrentJobs !== undefined && (!Number.isInteger(maxConcurrentJobs) || (maxConcurrentJobs as number) < 1)) {
    problems.push(`${where}.maxConcurrentJobs must be a whole number of at least 1`);
  }
  if (value.readsSharedDatasets !== undefined && typeof value.readsSharedDatasets !== 'boolean') {
    problems.push(`${where}.readsSharedDatasets must be true or false`);
  }
  const allowedInstanceTypes = strings('allowedInstanceTypes', true);
  return {
    name,
    principalArnPatterns: strings('principalArnPatterns', false) ?? [],
    claimValues: strings('claimValues', false) ?? [],
    ...(maxConcurrentJobs !== undefined ? { maxConcurrentJobs: maxConcurrentJobs as number } : {}),
    ...(allowedInstanceTypes !== undefined ? { allowedInstanceTypes } : {}),
    executionRoleArn: text('executionRoleArn'),
    accessRoleArn: text('accessRoleArn'),
    readsSharedDatasets: value.readsSharedDatasets !== false,
  };
}

/** The tenant with this name, or undefined. */
export function findTenant(directory: TenantDirectory, name: string): TenantDescriptor | undefined {
  return directory.tenants.find((tenant) => tenant.name === name);
}

/** Which tenant a caller belongs to: exactly one, or none with the reason (to log; tell the caller only "no tenant"). */
export type TenantMatch =
  | { readonly ok: true; readonly tenant: TenantDescriptor }
  | { readonly ok: false; readonly reason: string };

/**
 * The tenant of an IAM principal (API Gateway's `requestContext.identity.userArn`). An STS
 * assumed-role session ARN (`arn:<partition>:sts::<account>:assumed-role/<role>/<session>`) also
 * matches patterns written for its role (`arn:<partition>:iam::<account>:role/<role>`); role paths
 * are not part of a session ARN, so patterns for such roles match the role name without its path.
 */
export function tenantOfPrincipal(directory: TenantDirectory, principalArn: string): TenantMatch {
  const candidates = [principalArn, ...roleArnsOfSession(principalArn)];
  const matches = directory.tenants.filter((tenant) =>
    tenant.principalArnPatterns.some((pattern) => candidates.some((arn) => arnPatternMatches(pattern, arn))));
  return single(matches, `principal ${principalArn}`);
}

/** The tenant of a JWT-authorized caller: the tenant whose claim values hold the claim's value (or one of its values). */
export function tenantOfClaims(directory: TenantDirectory, claimName: string, claims: Readonly<Record<string, unknown>>): TenantMatch {
  const claim = claims[claimName];
  const values = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [])
    .filter((value): value is string => typeof value === 'string' && value !== '');
  if (values.length === 0) {
    return { ok: false, reason: `the token has no ${JSON.stringify(claimName)} claim` };
  }
  const matches = directory.tenants.filter((tenant) => tenant.claimValues.some((value) => values.includes(value)));
  return single(matches, `claim ${claimName}=${JSON.stringify(values.join(','))}`);
}

function single(matches: readonly TenantDescriptor[], who: string): TenantMatch {
  if (matches.length === 1) {
    return { ok: true, tenant: matches[0] };
  }
  return {
    ok: false,
    reason: matches.length === 0
      ? `${who} belongs to no tenant`
      : `${who} matches several tenants (${matches.map((tenant) => tenant.name).join(', ')}); a caller must belong to exactly one`,
  };
}

const SESSION_ARN = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

function roleArnsOfSession(arn: string): string[] {
  const match = SESSION_ARN.exec(arn);
  return match ? [`arn:${match[1]}:iam::${match[2]}:role/${match[3]}`] : [];
}

/** IAM-style ARN pattern matching: `*` any run of characters, `?` one character, everything else literal and case-sensitive. */
export function arnPatternMatches(pattern: string, arn: string): boolean {
  const source = pattern.split('').map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's').test(arn);
}
