import { App, Errors, Stack, UnscopedValidationError } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { TrainingNetwork } from '../../lib';

/** A stack with a training network in `region` (a token region when null). */
export function networkStack(region: string | null = 'us-east-1', id = 'Test') {
  const app = new App();
  const stack = new Stack(app, id, region ? { env: { region } } : {});
  const network = new TrainingNetwork(stack, 'Network', region ? {} : { interfaceEndpoints: [] });
  return { app, stack, network };
}

export type Rule = { direction: 'ingress' | 'egress'; group: string; peer: string; protocol: string; from?: number; to?: number };

/**
 * Every security-group rule of a template, inline or standalone, with groups named by logical id
 * (hash stripped). Inline ingress and CIDR peers are reported as such, so tests can forbid them.
 */
export function securityGroupRules(template: Template): Rule[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const name = (ref: unknown): string => {
    const r = ref as { 'Fn::GetAtt'?: [string, string] } | undefined;
    if (r?.['Fn::GetAtt']) return r['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '');
    return `CIDR:${JSON.stringify(ref)}`;
  };
  const found: Rule[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const p = resource.Properties;
    if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
      found.push({ direction: 'ingress', group: name(p.GroupId), peer: p.CidrIp ? `CIDR:${p.CidrIp}` : name(p.SourceSecurityGroupId), protocol: String(p.IpProtocol), from: p.FromPort as number, to: p.ToPort as number });
    } else if (resource.Type === 'AWS::EC2::SecurityGroupEgress') {
      found.push({ direction: 'egress', group: name(p.GroupId), peer: p.CidrIp ? `CIDR:${p.CidrIp}` : name(p.DestinationSecurityGroupId), protocol: String(p.IpProtocol), from: p.FromPort as number, to: p.ToPort as number });
    } else if (resource.Type === 'AWS::EC2::SecurityGroup') {
      const group = id.replace(/[0-9A-F]{8}$/, '');
      for (const rule of (p.SecurityGroupIngress as Array<Record<string, unknown>> | undefined) ?? []) {
        found.push({ direction: 'ingress', group, peer: rule.CidrIp ? `CIDR:${rule.CidrIp}` : name(rule.SourceSecurityGroupId), protocol: String(rule.IpProtocol), from: rule.FromPort as number, to: rule.ToPort as number });
      }
      for (const rule of (p.SecurityGroupEgress as Array<Record<string, unknown>> | undefined) ?? []) {
        if (rule.CidrIp === '255.255.255.255/32') continue; // CDK's "no egress" placeholder
        found.push({ direction: 'egress', group, peer: rule.CidrIp ? `CIDR:${rule.CidrIp}` : name(rule.DestinationSecurityGroupId), protocol: String(rule.IpProtocol), from: rule.FromPort as number, to: rule.ToPort as number });
      }
    }
  }
  return found.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The rules touching `group` (as the group or as the peer). */
export function rulesOf(template: Template, group: string): Rule[] {
  return securityGroupRules(template).filter((rule) => rule.group === group || rule.peer === group);
}

/** The warning texts on the stack. */
export function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

/** The warnings this library wrote (acknowledgeable as `cdk-sagemaker-datasets:*`). */
export function libraryWarnings(stack: Stack): string[] {
  return warnings(stack).filter((w) => w.includes('[ack: cdk-sagemaker-datasets:'));
}

/** The info texts on the stack. */
export function infos(stack: Stack): string[] {
  return Annotations.fromStack(stack).findInfo('*', Match.anyValue()).map((w) => String(w.entry.data));
}

/** The error `check` throws: an aws-cdk-lib validation error without a construct. */
export function thrownBy(check: () => unknown): UnscopedValidationError {
  try {
    check();
  } catch (error) {
    expect(Errors.isValidationError(error)).toBe(true);
    expect(error).toBeInstanceOf(UnscopedValidationError);
    return error as UnscopedValidationError;
  }
  throw new Error('expected a validation error');
}
