import { CfnResource } from 'aws-cdk-lib';

/** The template metadata key under which the library names each cfn-lint exception and its reason. */
export const CFN_LINT_EXCEPTIONS_METADATA_KEY = 'cdk-sagemaker-datasets:cfn-lint-exceptions';

/**
 * Tells cfn-lint to skip one rule on one resource, for a known false positive of cfn-lint 1.51.0's
 * bundled schemas, and names the reason in the template next to it.
 *
 * cfn-lint reads `Metadata.cfn-lint.config.ignore_checks` per resource, so nothing else in the
 * template is exempted. Each use is tested: the rule fires on exactly the property the reason names
 * once the metadata is removed.
 */
export function addCfnLintException(resource: CfnResource, ruleId: string, reason: string): void {
  const lint = (resource.getMetadata('cfn-lint') ?? {}) as { config?: { ignore_checks?: string[] } };
  const ignore = new Set(lint.config?.ignore_checks ?? []);
  ignore.add(ruleId);
  resource.addMetadata('cfn-lint', { ...lint, config: { ...lint.config, ignore_checks: [...ignore].sort() } });
  const reasons = (resource.getMetadata(CFN_LINT_EXCEPTIONS_METADATA_KEY) ?? {}) as Record<string, string>;
  const joined = reasons[ruleId] ? `${reasons[ruleId]} ${reason}` : reason;
  resource.addMetadata(CFN_LINT_EXCEPTIONS_METADATA_KEY, { ...reasons, [ruleId]: joined });
}
