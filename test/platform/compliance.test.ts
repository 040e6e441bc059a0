import { App, Stack } from 'aws-cdk-lib';
import { TrainingNetwork, TrainingSubnetMode } from '../../lib';
import { platformApp } from '../support/platform-app';
import { nagFindings } from '../support/nag';



describe('cdk-nag: AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, Serverless', () => {
  test('the example app has zero unacknowledged findings in every region', () => {
    const app = platformApp(['us-east-1', 'cn-north-1', 'cn-northwest-1', 'eu-west-1']);
    expect(nagFindings(app)).toEqual([]);
  });

  test('a NAT-egress network is clean too', () => {
    const stack = new Stack(new App(), 'Nat', { env: { region: 'eu-west-1' } });
    new TrainingNetwork(stack, 'Network', { subnetMode: TrainingSubnetMode.NAT_EGRESS });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('the gate is live: a finding on a construct without an acknowledgment is reported', () => {
    const stack = new Stack(new App(), 'Bare', { env: { region: 'eu-west-1' } });
    new TrainingNetwork(stack, 'Network', { flowLogs: false });
    expect(nagFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/VPC7|VPCFlowLogsEnabled/)]));
  });
});
