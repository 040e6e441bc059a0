import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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

/**
 * A policy resource as cdk-nag prints it inside finding ids: `<LogicalId.Attribute>` for GetAtt,
 * `<LogicalId>` for Ref, `<AWS::Partition>` for pseudo parameters, joins flattened. Finding ids
 * embed it, e.g. `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<Bucket1234.Arn>/uploads/*]`.
 */
export function nagResourceText(scope: IConstruct, value: string): string {
  return renderNagValue(Stack.of(scope).resolve(value));
}

/**
 * cdk-nag's rendering of a resolved CloudFormation value inside a finding id (its
 * `flattenCfnReference`): `${X}` of Fn::Sub as `<X>`, joins flattened, an imported value as its
 * export name, anything else as JSON.
 */
function renderNagValue(resolved: unknown): string {
  const render = (v: unknown): string => {
    if (v === undefined) return '';
    if (typeof v === 'string') return v.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['Fn::Join']) {
        const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(render).join(separator);
      }
      if (o['Fn::Sub']) return render(o['Fn::Sub']);
      if (o['Fn::GetAtt']) {
        const [logicalId, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
        return `<${render(logicalId)}.${render(attribute)}>`;
      }
      if (o['Fn::ImportValue']) return render(o['Fn::ImportValue']);
      if (o.Ref) return `<${render(o.Ref)}>`;
    }
    return JSON.stringify(v);
  };
  return render(resolved);
}

/** Acknowledges AwsSolutions-IAM5 for one wildcard resource of `policy`, with the reason it is needed. */
export function acknowledgeWildcardResource(policy: IConstruct, resource: string, reason: string): void {
  acknowledgeFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceText(policy, resource)}]`, reason);
}

/**
 * Acknowledges AwsSolutions-IAM5 for every wildcard resource of a policy aws-cdk-lib writes for us
 * (e.g. the Distributed Map policy on the state machine's own executions), with one reason.
 */
export function acknowledgePolicyWildcards(policy: iam.Policy, reason: string): void {
  const document = Stack.of(policy).resolve(policy.document) as { Statement?: Array<{ Resource?: unknown }> };
  for (const statement of document.Statement ?? []) {
    for (const resource of [statement.Resource ?? []].flat()) {
      const text = renderNagValue(resource);
      if (text.includes('*')) acknowledgeFinding(policy, `AwsSolutions-IAM5[Resource::${text}]`, reason);
    }
  }
}

/**
 * Acknowledges AwsSolutions-IAM5 for the KMS action families aws-cdk-lib's key grants write
 * (`kms:GenerateDataKey*`, `kms:ReEncrypt*`): they name every variant of one operation on one key.
 */
export function acknowledgeKeyActionFamilies(policy: IConstruct): void {
  const reason = 'KMS data-key actions (kms:GenerateDataKey*, kms:ReEncrypt*) are action families of one key, granted on that key only.';
  acknowledgeFinding(policy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason);
  acknowledgeFinding(policy, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason);
}
