import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on exactly one construct (and its children).
 *
 * cdk-nag 3 reads acknowledgments through CDK's `Validations` API. `Validations.acknowledge()`
 * rejects finding ids with more than one `::` (e.g. `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:...]`,
 * cdklabs/cdk-nag#2351), so those are written as the same metadata entry the API itself writes.
 */
export function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  if (id.split('::').length > 2) {
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason }, { stackTrace: false });
  } else {
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/** Acknowledges the same finding of several packs (AwsSolutions, NIST, HIPAA, PCI, Serverless) with one reason. */
export function acknowledgeFindings(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) {
    acknowledgeFinding(scope, id, reason);
  }
}

/** The packs' rule against inline IAM policies, which this library uses on purpose. */
const INLINE_POLICY_RULES = ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'];

/**
 * Acknowledges the inline policy of one role. The library gives every role its own inline,
 * least-privilege policy that lives and dies with the role, instead of AWS managed policies
 * (too broad) or shared customer managed ones (they outlive and couple roles).
 */
export function acknowledgeInlinePolicy(role: IConstruct, purpose: string): void {
  acknowledgeFindings(role, INLINE_POLICY_RULES,
    `Inline least-privilege policy owned by the ${purpose} role alone; it is scoped to that role's resources and deleted with it.`);
}
