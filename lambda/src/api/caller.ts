import type { APIGatewayProxyEvent } from 'aws-lambda';
import { TenantDescriptor, TenantDirectory, tenantOfClaims, tenantOfPrincipal } from '../../../contract/tenant-directory';
import { DEFAULT_TENANT_CLAIM } from '../../../contract/platform-api';
import { forbidden } from './errors';

/**
 * Who called, as API Gateway established it (never the request body): the IAM principal of a
 * SigV4-signed request, or the claims a JWT authorizer verified.
 */
export type CallerIdentity =
  | { readonly kind: 'iam'; readonly principalArn: string; readonly accountId?: string }
  | { readonly kind: 'jwt'; readonly claims: Readonly<Record<string, string>> };

/** Maps a caller to its tenant, or undefined when the caller belongs to none. */
export interface TenantResolver {
  resolveTenant(identity: CallerIdentity): TenantDescriptor | undefined;
}

/**
 * Reads the caller from the proxy event's request context. IAM: `requestContext.identity.userArn`
 * (for an assumed role, the STS session ARN `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`).
 * JWT: the claims the authorizer passed (`requestContext.authorizer.claims`, or the authorizer's
 * context values). A request with neither never reaches a handler behind an authorizer; here it is refused.
 */
export function callerOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): CallerIdentity {
  const context = event.requestContext;
  const authorizer = (context.authorizer ?? undefined) as Record<string, unknown> | undefined;
  if (authorizer) {
    const claims = typeof authorizer.claims === 'object' && authorizer.claims !== null ? authorizer.claims as Record<string, unknown> : authorizer;
    const strings = Object.fromEntries(Object.entries(claims).filter(([key, value]) => typeof value === 'string' && key !== 'principalId')) as Record<string, string>;
    if (Object.keys(strings).length > 0) {
      return { kind: 'jwt', claims: strings };
    }
  }
  const userArn = context.identity?.userArn;
  if (userArn) {
    return { kind: 'iam', principalArn: userArn, ...(context.identity.accountId ? { accountId: context.identity.accountId } : {}) };
  }
  throw forbidden('The request carries no caller identity: sign it with SigV4 (AWS credentials) or send a valid JWT.');
}

/** The caller's tenant; a caller that belongs to no tenant is refused (403), naming who it is. */
export function tenantOf(identity: CallerIdentity, resolver: TenantResolver): TenantDescriptor {
  const tenant = resolver.resolveTenant(identity);
  if (tenant === undefined) {
    const who = identity.kind === 'iam' ? identity.principalArn : `the JWT subject ${identity.claims.sub ?? '(no sub claim)'}`;
    throw forbidden(`${who} belongs to no tenant of this platform. Ask the platform team to add it to a tenant.`);
  }
  return tenant;
}


/** Resolves callers against the platform's tenant directory (principal ARN patterns, or the tenant claim's values). */
export class DirectoryTenantResolver implements TenantResolver {
  constructor(private readonly directory: TenantDirectory, private readonly claimName: string = DEFAULT_TENANT_CLAIM) {}

  resolveTenant(identity: CallerIdentity): TenantDescriptor | undefined {
    const match = identity.kind === 'iam'
      ? tenantOfPrincipal(this.directory, identity.principalArn)
      : tenantOfClaims(this.directory, this.claimName, identity.claims);
    return match.ok ? match.tenant : undefined;
  }
}
