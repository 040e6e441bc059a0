import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { TrainingNetwork, TrainingSubnetMode } from '../../lib';
import { platformApp } from '../support/platform-app';

const PACKS = [
  (scope: IConstruct) => new AwsSolutionsChecks(scope),
  (scope: IConstruct) => new NIST80053R5Checks(scope),
  (scope: IConstruct) => new HIPAASecurityChecks(scope),
  (scope: IConstruct) => new PCIDSS321Checks(scope),
  (scope: IConstruct) => new ServerlessChecks(scope),
];

/** Every unacknowledged finding of the five packs, as "rule at path" lines. */
function findings(scope: IConstruct): string[] {
  return PACKS.flatMap((pack) => pack(scope).validateScope(scope).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.resourceLogicalId} (${resource.templatePath})`)));
}

describe('cdk-nag: AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, Serverless', () => {
  test('the example app has zero unacknowledged findings in every region', () => {
    const app = platformApp(['us-east-1', 'cn-north-1', 'cn-northwest-1', 'eu-west-1']);
    expect(findings(app)).toEqual([]);
  });

  test('a NAT-egress network is clean too', () => {
    const stack = new Stack(new App(), 'Nat', { env: { region: 'eu-west-1' } });
    new TrainingNetwork(stack, 'Network', { subnetMode: TrainingSubnetMode.NAT_EGRESS });
    expect(findings(stack)).toEqual([]);
  });

  test('the gate is live: a finding on a construct without an acknowledgment is reported', () => {
    const stack = new Stack(new App(), 'Bare', { env: { region: 'eu-west-1' } });
    new TrainingNetwork(stack, 'Network', { flowLogs: false });
    expect(findings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/VPC7|VPCFlowLogsEnabled/)]));
  });
});
