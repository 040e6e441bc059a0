import { Names, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';

/**
 * `target`'s connections as seen from `peer`'s stack, so the rules between them land in the
 * consumer's stack.
 *
 * aws-cdk-lib writes an ingress rule into the stack of the group that receives it. When the
 * platform stack owns `target` (a file system's or the endpoints' group) and a team stack owns
 * `peer`, that rule would make the platform stack reference the team's group while the team stack
 * references the platform's: a dependency cycle. Importing `target`'s groups into `peer`'s stack
 * (mutable, like `ec2.SecurityGroup.fromSecurityGroupId`) puts the rules there instead: only the
 * team stack depends on the platform stack. Same stack (or no stack to tell): `target` itself.
 */
export function connectionsInStackOf(target: ec2.IConnectable, peer: ec2.IConnectable): ec2.IConnectable {
  const peerStack = stackOfConnectable(peer);
  const groups = target.connections.securityGroups;
  if (!peerStack || groups.length === 0 || groups.every((group) => Stack.of(group) === peerStack)) {
    return target;
  }
  const local = groups.map((group) => {
    if (Stack.of(group) === peerStack) return group;
    const id = `PlatformSecurityGroup${Names.uniqueId(group)}`;
    const existing = peerStack.node.tryFindChild(id) as ec2.ISecurityGroup | undefined;
    return existing ?? ec2.SecurityGroup.fromSecurityGroupId(peerStack, id, group.securityGroupId, {
      mutable: true,
      allowAllOutbound: group.allowAllOutbound,
    });
  });
  return { connections: new ec2.Connections({ securityGroups: local, defaultPort: target.connections.defaultPort }) };
}

/** The stack of `connectable`'s first security group (or of the construct itself), if it has one. */
function stackOfConnectable(connectable: ec2.IConnectable): Stack | undefined {
  const group = connectable.connections.securityGroups[0];
  if (group) return Stack.of(group);
  const construct = connectable as unknown as Partial<IConstruct>;
  return construct.node ? Stack.of(construct as IConstruct) : undefined;
}
