import { Aws, Token } from 'aws-cdk-lib';
import { PURE, PropProblems, integerIn } from '../validation';
import { INSTANCE_TYPE_PATTERN } from '../../contract/sagemaker-limits';
import { TENANT_NAME_RULE, tenantNameProblem } from '../../contract/tenant-directory';

/** Whether a tenant's training jobs may read the platform's shared datasets (`datasets/shared/…`). */
export enum SharedDatasetAccess {
  /** The tenant's execution role reads `datasets/shared/…` (read-only, like every tenant's). */
  READ = 'READ',
  /** The tenant's jobs read only the tenant's own datasets. */
  NONE = 'NONE',
}

/** Properties of a {@link Tenant}. */
export interface TenantProps {
  /**
   * The tenant's name: the segment of its keys (`uploads/<name>/…`, `datasets/<name>/…`,
   * `jobs/<name>/…`), file-system paths (`…/datasets/<name>/…`) and job names (`<prefix>-<name>-…`).
   * A lowercase letter followed by up to 15 lowercase letters or digits; not `shared`.
   */
  readonly name: string;

  /**
   * IAM principal ARN patterns of the tenant's members (`*` and `?` wildcards), matched against the
   * caller of IAM-authorized API calls, e.g. `arn:aws:iam::123456789012:role/vision-*`. An STS
   * session (`…:assumed-role/<role>/<session>`) also matches the patterns of its role.
   * @default - no IAM principals (members come from `jwtClaimValues`)
   */
  readonly principalArnPatterns?: string[];

  /**
   * Values of the platform's tenant claim (JWT authorizer) that mean this tenant.
   * @default - no JWT callers (members come from `principalArnPatterns`)
   */
  readonly jwtClaimValues?: string[];

  /**
   * The most training jobs of this tenant that may be InProgress at once. The launcher refuses a
   * request that would exceed it (counting the tenant's InProgress jobs first).
   * @default - no tenant quota (the launcher's per-request limits still apply)
   */
  readonly maxConcurrentJobs?: number;

  /**
   * The instance types this tenant may use: a subset of the launcher's `allowedInstanceTypes`.
   * The tenant's access role allows only these.
   * @default - every instance type the launcher allows
   */
  readonly allowedInstanceTypes?: string[];

  /**
   * Whether the tenant's jobs may read the platform's shared datasets.
   * @default SharedDatasetAccess.READ
   */
  readonly sharedDatasets?: SharedDatasetAccess;
}

/**
 * One tenant of the platform: a team whose uploads, datasets, jobs, logs and models are isolated
 * from every other tenant's by IAM (one SageMaker execution role and one access role per tenant),
 * not only by the platform's code.
 *
 * @example
 * const vision = new Tenant({ name: 'vision', principalArnPatterns: ['arn:aws:iam::123456789012:role/vision-*'], maxConcurrentJobs: 8 });
 */
export class Tenant {
  /** The name of the platform's single tenant when none are declared. */
  public static readonly DEFAULT_TENANT_NAME: string = 'default';

  /**
   * The single tenant of a small platform: every IAM principal of the deploying account
   * (users, roles and their sessions) belongs to it.
   */
  public static accountDefault(): Tenant {
    return new Tenant({
      name: Tenant.DEFAULT_TENANT_NAME,
      principalArnPatterns: [
        `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:*`,
        `arn:${Aws.PARTITION}:sts::${Aws.ACCOUNT_ID}:assumed-role/*`,
      ],
    });
  }

  /** The tenant's name. */
  public readonly name: string;
  /** IAM principal ARN patterns of the members. */
  public readonly principalArnPatterns: string[];
  /** JWT tenant-claim values of the members. */
  public readonly jwtClaimValues: string[];
  /** The concurrent-job quota, if any. */
  public readonly maxConcurrentJobs?: number;
  /** The tenant's instance types, if narrower than the launcher's. */
  public readonly allowedInstanceTypes?: string[];
  /** Whether the tenant reads the shared datasets. */
  public readonly sharedDatasets: SharedDatasetAccess;

  constructor(props: TenantProps) {
    const problems = new PropProblems({ construct: `Tenant ${JSON.stringify(props.name)}` });
    if (Token.isUnresolved(props.name)) {
      problems.add('name', `name must be a literal string (${TENANT_NAME_RULE}).`);
    } else {
      const nameProblem = tenantNameProblem(props.name);
      if (nameProblem) {
        const suggestion = props.name.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/^[^a-z]+/, '').slice(0, 16);
        problems.add('name', `name ${nameProblem}${suggestion && suggestion !== 'shared' ? `; for example "${suggestion}"` : ''}.`);
      }
    }
    const principalArnPatterns = [...(props.principalArnPatterns ?? [])];
    const jwtClaimValues = [...(props.jwtClaimValues ?? [])];
    if (principalArnPatterns.length === 0 && jwtClaimValues.length === 0) {
      problems.add('members', 'has no members: set principalArnPatterns (IAM callers) and/or jwtClaimValues (JWT callers), or use Tenant.accountDefault().');
    }
    for (const pattern of principalArnPatterns) {
      if (!Token.isUnresolved(pattern) && !/^arn:[^:]*:(iam|sts):[^:]*:[^:]*:.+$/.test(pattern)) {
        problems.add('principalArnPatterns', `principalArnPatterns has ${JSON.stringify(pattern)}: write an IAM or STS principal ARN pattern, ` +
          'e.g. "arn:aws:iam::123456789012:role/team-*" or "arn:aws:sts::123456789012:assumed-role/team-role/*".');
      }
    }
    for (const value of jwtClaimValues) {
      if (value.trim() === '' || /[\s,]/.test(value)) {
        problems.add('jwtClaimValues', `jwtClaimValues has ${JSON.stringify(value)}: claim values are non-empty and contain no spaces or commas (a claim may list several values separated by them).`);
      }
    }
    if (props.maxConcurrentJobs !== undefined) {
      const maxConcurrentJobs = props.maxConcurrentJobs;
      problems.check(() => integerIn(PURE, 'maxConcurrentJobs', maxConcurrentJobs, 1, 10000,
        'It caps the tenant\'s training jobs in progress at once; use e.g. 8, or leave it out for no quota.'));
    }
    if (props.allowedInstanceTypes !== undefined) {
      if (props.allowedInstanceTypes.length === 0) {
        problems.add('allowedInstanceTypes', 'allowedInstanceTypes is empty: list at least one instance type, or leave it out for all of the launcher\'s.');
      }
      const bad = props.allowedInstanceTypes.filter((type) => !INSTANCE_TYPE_PATTERN.test(type));
      if (bad.length > 0) {
        problems.add('allowedInstanceTypes', `allowedInstanceTypes has ${bad.map((type) => JSON.stringify(type)).join(', ')}: instance types are written ml.<family>.<size>, e.g. "ml.g5.xlarge".`);
      }
    }
    problems.throwIfAny();
    this.name = props.name;
    this.principalArnPatterns = principalArnPatterns;
    this.jwtClaimValues = jwtClaimValues;
    this.maxConcurrentJobs = props.maxConcurrentJobs;
    this.allowedInstanceTypes = props.allowedInstanceTypes ? [...new Set(props.allowedInstanceTypes)] : undefined;
    this.sharedDatasets = props.sharedDatasets ?? SharedDatasetAccess.READ;
  }
}
