import { Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

/** The cdk-nag packs the platform is held to. */
export class ComplianceChecks {
  /**
   * Adds AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 and Serverless as validation
   * plugins: synthesis fails on any finding not acknowledged on the construct it concerns.
   */
  public static addTo(stage: Stage): void {
    Validations.of(stage).addPlugins(
      new AwsSolutionsChecks(stage),
      new NIST80053R5Checks(stage),
      new HIPAASecurityChecks(stage),
      new PCIDSS321Checks(stage),
      new ServerlessChecks(stage),
    );
  }
}
