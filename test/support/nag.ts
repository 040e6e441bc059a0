import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** The five packs the platform is held to (the same as `ComplianceChecks.addTo`). */
const PACKS = [
  (scope: IConstruct) => new AwsSolutionsChecks(scope),
  (scope: IConstruct) => new NIST80053R5Checks(scope),
  (scope: IConstruct) => new HIPAASecurityChecks(scope),
  (scope: IConstruct) => new PCIDSS321Checks(scope),
  (scope: IConstruct) => new ServerlessChecks(scope),
];

/** Every unacknowledged finding of the five packs under `scope`, as "rule at construct path" lines. */
export function nagFindings(scope: IConstruct): string[] {
  return PACKS.flatMap((pack) => pack(scope).validateScope(scope).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId} (${resource.templatePath})`)));
}
