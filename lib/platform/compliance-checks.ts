import { Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

/**
 * Runs the five cdk-nag packs as validation plugins: synthesis fails on any finding that is not
 * acknowledged on the construct it concerns.
 */
export function addComplianceChecks(stage: Stage): void {
  Validations.of(stage).addPlugins(
    new AwsSolutionsChecks(stage),
    new NIST80053R5Checks(stage),
    new HIPAASecurityChecks(stage),
    new PCIDSS321Checks(stage),
    new ServerlessChecks(stage),
  );
}
