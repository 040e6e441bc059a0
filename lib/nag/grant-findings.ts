import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acknowledgeFindings, acknowledgeWildcardResource } from './acknowledge';

/** The inline-policy rules of the NIST, HIPAA and PCI packs. */
const INLINE_POLICY_RULES = ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'];

/** A wildcard resource a grant cannot avoid, with the reason. */
export interface GrantWildcard {
  readonly resource: string;
  readonly reason: string;
}

/**
 * Acknowledges, on the grantee's own policy, the findings a library `grant*()` method causes there,
 * so the consumer never has to name them by hashed logical ids: the inline policy the grant writes
 * (as every aws-cdk-lib grant does) and the wildcard resources it cannot narrow, each with its
 * reason. Nothing is acknowledged when the grantee holds no policy of its own in this app (a
 * service principal, another account), or when the grant did not go to the principal.
 */
export function acknowledgeGrantFindings(grantee: iam.IGrantable, grant: iam.Grant, method: string, wildcards: GrantWildcard[] = []): void {
  if (!grant.principalStatement) {
    return;
  }
  const policy = principalPolicy(grantee);
  if (!policy) {
    return;
  }
  acknowledgeFindings(policy, INLINE_POLICY_RULES,
    `${method} added its least-privilege statements to this principal's own inline policy, as aws-cdk-lib grants do; the policy lives and dies with the principal.`);
  for (const wildcard of wildcards) {
    acknowledgeWildcardResource(policy, wildcard.resource, `${method}: ${wildcard.reason}`);
  }
}

/** The policy construct a principal statement went into: a Role/User/Group's `DefaultPolicy`, or the `Policy` of an imported role. */
function principalPolicy(grantee: iam.IGrantable): IConstruct | undefined {
  const node = (grantee.grantPrincipal as Partial<IConstruct>).node;
  return node ? node.tryFindChild('DefaultPolicy') ?? node.tryFindChild('Policy') : undefined;
}
