import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EfsDatasetFileSystem, LustreDatasetFileSystem, TrainingNetwork } from '../../lib';

/**
 * Platform objects used from another stack of the same app: the rules go into the consumer's
 * stack, so only the team stack depends on the platform stack (no DependencyCycle).
 */
function apps() {
  const app = new App();
  const env = { region: 'us-east-1', account: '111122223333' };
  const platform = new Stack(app, 'Platform', { env });
  const network = new TrainingNetwork(platform, 'Network');
  const team = new Stack(app, 'Team', { env });
  const client = new ec2.SecurityGroup(team, 'Client', { vpc: network.vpc });
  return { app, platform, team, network, client };
}

const referencesStack = (template: Template, stackName: string) => JSON.stringify(template.toJSON()).includes(`${stackName}:ExportsOutput`);

test('Lustre: allowClient from a team stack writes every rule in the team stack, and synthesizes without a cycle', () => {
  const { app, platform, team, network, client } = apps();
  const fileSystem = new LustreDatasetFileSystem(platform, 'Datasets', { network });
  fileSystem.allowClient(client);
  network.allowEndpointAccessFrom(client);
  expect(() => app.synth()).not.toThrow();
  const teamTemplate = Template.fromStack(team);
  const platformTemplate = Template.fromStack(platform);
  for (const port of [988, 1018]) {
    teamTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: port, GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('^Platform:ExportsOutput') },
    });
    teamTemplate.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      FromPort: port, GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('^Platform:ExportsOutput') },
    });
  }
  teamTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 443, ToPort: 443 });
  expect(referencesStack(platformTemplate, 'Team')).toBe(false);
  expect(team.dependencies.map((s) => s.stackName)).toEqual(['Platform']);
  expect(platform.dependencies).toEqual([]);
});

test('EFS: allowClient from a team stack writes the NFS rule in the team stack', () => {
  const { app, platform, team, network, client } = apps();
  const fileSystem = new EfsDatasetFileSystem(platform, 'Datasets', { network });
  fileSystem.allowClient(client);
  expect(() => app.synth()).not.toThrow();
  Template.fromStack(team).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('^Platform:ExportsOutput') },
  });
  expect(platform.dependencies).toEqual([]);
});

test('same stack: the rules stay on the file system\'s own group (no imported copy)', () => {
  const { platform, network } = apps();
  const fileSystem = new LustreDatasetFileSystem(platform, 'Datasets', { network });
  fileSystem.allowClient(network);
  expect(platform.node.children.filter((c) => c.node.id.startsWith('PlatformSecurityGroup'))).toEqual([]);
});
