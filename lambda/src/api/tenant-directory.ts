import type { CallerIdentity, TenantResolver } from './caller';

/** One tenant as the API reads it from its environment. */
export interface TenantDirectoryEntry {
  readonly name: string;
  /** IAM principal ARN patterns (`*` matches any run of characters); roles match their STS sessions too. */
  readonly principalArnPatterns?: string[];
  /** JWT: the claim that names the tenant and the values that mean this tenant. */
  readonly jwtClaim?: { readonly name: string; readonly values: string[] };
}

/**
 * `arn:<p>:sts::<account>:assumed-role/<role>/<session>` → `arn:<p>:iam::<account>:role/<role>`.
 * API Gateway reports an assumed role's session ARN; tenants are declared with role ARNs.
 */
export function roleArnOfSession(arn: string): string | undefined {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined;
}

function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(value);
}

/** Resolves callers against declared tenants; a caller matching several tenants is refused (ambiguous). */
export class TenantDirectory implements TenantResolver {
  constructor(private readonly entries: readonly TenantDirectoryEntry[]) {}

  static fromJson(text: string | undefined): TenantDirectory {
    const value = JSON.parse(text ?? '[]') as TenantDirectoryEntry[];
    if (!Array.isArray(value)) throw new Error('The tenant list must be a JSON array.');
    return new TenantDirectory(value);
  }

  resolveTenant(identity: CallerIdentity): string | undefined {
    const matches = this.entries.filter((entry) => {
      if (identity.kind === 'iam') {
        const candidates = [identity.principalArn, roleArnOfSession(identity.principalArn)].filter((arn): arn is string => arn !== undefined);
        return (entry.principalArnPatterns ?? []).some((pattern) => candidates.some((arn) => globMatches(pattern, arn)));
      }
      const claim = entry.jwtClaim;
      return claim !== undefined && identity.claims[claim.name] !== undefined && claim.values.includes(identity.claims[claim.name]);
    });
    return matches.length === 1 ? matches[0].name : undefined;
  }
}
