import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { FileSystemPorts } from '../../lib';

type Rule = { direction: 'ingress' | 'egress'; group: string; peer: string; protocol: string; from?: number; to?: number };

/** Every security-group rule of the stack, inline or standalone, with groups named by logical id. */
function rules(stack: Stack): Rule[] {
  const t = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const name = (ref: unknown): string => {
    const r = ref as { 'Fn::GetAtt'?: [string, string] } | undefined;
    if (r?.['Fn::GetAtt']) return r['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '');
    throw new Error(`rule peer is not a security group: ${JSON.stringify(ref)}`);
  };
  const found: Rule[] = [];
  for (const [id, resource] of Object.entries(t)) {
    const p = resource.Properties;
    if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
      found.push({ direction: 'ingress', group: name(p.GroupId), peer: name(p.SourceSecurityGroupId), protocol: String(p.IpProtocol), from: p.FromPort as number, to: p.ToPort as number });
    } else if (resource.Type === 'AWS::EC2::SecurityGroupEgress') {
      found.push({ direction: 'egress', group: name(p.GroupId), peer: name(p.DestinationSecurityGroupId), protocol: String(p.IpProtocol), from: p.FromPort as number, to: p.ToPort as number });
    } else if (resource.Type === 'AWS::EC2::SecurityGroup') {
      for (const rule of (p.SecurityGroupIngress as Array<Record<string, unknown>> | undefined) ?? []) {
        throw new Error(`inline ingress on ${id}: ${JSON.stringify(rule)}`);
      }
      for (const rule of (p.SecurityGroupEgress as Array<Record<string, unknown>> | undefined) ?? []) {
        if (rule.CidrIp === '255.255.255.255/32') continue; // CDK's "no egress" placeholder
        found.push({ direction: 'egress', group: id.replace(/[0-9A-F]{8}$/, ''), peer: String(rule.CidrIp ?? name(rule.DestinationSecurityGroupId)), protocol: String(rule.IpProtocol), from: rule.FromPort as number, to: rule.ToPort as number });
      }
    }
  }
  return found.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function groups(allowAllOutbound: boolean) {
  const stack = new Stack(new App(), 'Test');
  const vpc = new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], restrictDefaultSecurityGroup: false });
  const client = new ec2.SecurityGroup(stack, 'Client', { vpc, allowAllOutbound });
  const server = new ec2.SecurityGroup(stack, 'Server', { vpc, allowAllOutbound });
  return { stack, client, server };
}

describe('FileSystemPorts', () => {
  test('allowNfs opens TCP 2049 from the clients to the file system only', () => {
    const { stack, client, server } = groups(false);
    FileSystemPorts.allowNfs(client, server);
    expect(rules(stack)).toEqual([
      { direction: 'egress', group: 'Client', peer: 'Server', protocol: 'tcp', from: 2049, to: 2049 },
      { direction: 'ingress', group: 'Server', peer: 'Client', protocol: 'tcp', from: 2049, to: 2049 },
    ]);
  });

  test('allowLustre opens exactly TCP 988 and 1018-1023, in both directions', () => {
    const { stack, client, server } = groups(false);
    FileSystemPorts.allowLustre(client, server);
    const expected: Rule[] = [];
    for (const [from, to] of [[988, 988], [1018, 1023]]) {
      expected.push(
        { direction: 'ingress', group: 'Server', peer: 'Client', protocol: 'tcp', from, to },
        { direction: 'egress', group: 'Client', peer: 'Server', protocol: 'tcp', from, to },
        { direction: 'ingress', group: 'Client', peer: 'Server', protocol: 'tcp', from, to },
        { direction: 'egress', group: 'Server', peer: 'Client', protocol: 'tcp', from, to },
      );
    }
    expect(rules(stack)).toEqual(expected.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  });

  test('allowLustre never opens the 989-1017 range that aws-cdk-lib LustreFileSystem opens', () => {
    const { stack, client, server } = groups(true);
    FileSystemPorts.allowLustre(client, server);
    for (const rule of rules(stack).filter((r) => r.protocol === 'tcp')) {
      expect([[988, 988], [1018, 1023]]).toContainEqual([rule.from, rule.to]);
    }
  });

  test('allowLustreServers opens the Lustre ports within the file-system group', () => {
    const { stack, server } = groups(true);
    FileSystemPorts.allowLustreServers(server);
    expect(rules(stack).filter((r) => r.direction === 'ingress')).toEqual([
      { direction: 'ingress', group: 'Server', peer: 'Server', protocol: 'tcp', from: 1018, to: 1023 },
      { direction: 'ingress', group: 'Server', peer: 'Server', protocol: 'tcp', from: 988, to: 988 },
    ]);
  });

  test('allowEfa allows all traffic from and to the group itself even when outbound is open', () => {
    const { stack, client } = groups(true);
    FileSystemPorts.allowEfa(client);
    expect(rules(stack).filter((r) => r.group === 'Client' && r.peer === 'Client')).toEqual([
      { direction: 'egress', group: 'Client', peer: 'Client', protocol: '-1' },
      { direction: 'ingress', group: 'Client', peer: 'Client', protocol: '-1' },
    ]);
  });

  test('allowWithinGroup admits all traffic from and to the group itself, once however often it is called', () => {
    const { stack, client } = groups(false);
    FileSystemPorts.allowWithinGroup(client);
    FileSystemPorts.allowWithinGroup(client);
    FileSystemPorts.allowEfa(client);
    expect(rules(stack).filter((r) => r.group === 'Client' && r.peer === 'Client')).toEqual([
      { direction: 'egress', group: 'Client', peer: 'Client', protocol: '-1' },
      { direction: 'ingress', group: 'Client', peer: 'Client', protocol: '-1' },
    ]);
  });

  test('no helper ever writes a CIDR rule', () => {
    const { stack, client, server } = groups(false);
    FileSystemPorts.allowNfs(client, server);
    FileSystemPorts.allowLustre(client, server);
    FileSystemPorts.allowLustreServers(server);
    FileSystemPorts.allowEfa(client);
    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(json).not.toMatch(/"CidrIp(v6)?":"(?!255\.255\.255\.255\/32)/);
  });
});
