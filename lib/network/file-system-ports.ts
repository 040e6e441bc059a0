import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { acknowledgeFindings } from '../nag/acknowledge';
import { connectionsInStackOf } from './cross-stack-connections';

/**
 * The security-group rules that shared file systems and EFA need, opened only between security
 * groups (never to a CIDR).
 *
 * All helpers go through `ec2.Connections`, so each rule appears as an ingress rule on one group
 * and, where that group restricts outbound traffic, the matching egress rule on the other.
 */
export class FileSystemPorts {
  /** NFS, used by Amazon EFS mount targets. */
  public static readonly NFS: ec2.Port = ec2.Port.tcp(2049);

  /** Lustre LNET. */
  public static readonly LUSTRE_LNET: ec2.Port = ec2.Port.tcp(988);

  /**
   * Lustre's remaining ports. aws-cdk-lib's `LustreFileSystem` opens 988–1023; FSx needs
   * only 988 and 1018–1023 (docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html).
   */
  public static readonly LUSTRE_DATA: ec2.Port = ec2.Port.tcpRange(1018, 1023);

  /** The Lustre ports, in the order the rules are written. */
  public static lustrePorts(): ec2.Port[] {
    return [FileSystemPorts.LUSTRE_LNET, FileSystemPorts.LUSTRE_DATA];
  }

  /**
   * Lets `clients` mount an NFS (EFS) file system behind `fileSystem`: TCP 2049, clients → file system.
   * When the two are in different stacks, the rules go into the clients' stack (no dependency cycle).
   */
  public static allowNfs(clients: ec2.IConnectable, fileSystem: ec2.IConnectable): void {
    connectionsInStackOf(fileSystem, clients).connections.allowFrom(clients, FileSystemPorts.NFS, 'NFS from file-system clients');
  }

  /**
   * Lets `clients` use a Lustre file system behind `fileSystem`: TCP 988 and 1018–1023 in both
   * directions, because Lustre servers also open connections back to their clients. When the two
   * are in different stacks, the rules go into the clients' stack (no dependency cycle).
   */
  public static allowLustre(clients: ec2.IConnectable, fileSystem: ec2.IConnectable): void {
    const local = connectionsInStackOf(fileSystem, clients);
    for (const port of FileSystemPorts.lustrePorts()) {
      local.connections.allowFrom(clients, port, 'Lustre from file-system clients');
      clients.connections.allowFrom(local, port, 'Lustre from the file system to its clients');
    }
  }

  /** Lets the Lustre servers behind `fileSystem` talk to each other: TCP 988 and 1018–1023 within the group. */
  public static allowLustreServers(fileSystem: ec2.IConnectable): void {
    for (const port of FileSystemPorts.lustrePorts()) {
      fileSystem.connections.allowInternally(port, 'Lustre between file-system servers');
    }
  }

  /**
   * All traffic between members of the group, inbound and outbound: the instances of one
   * multi-instance training job talk to each other. The egress rule is written even when the group
   * allows all outbound traffic (where `addEgressRule` would drop it). Idempotent; both rules name
   * members of the group only, never a CIDR.
   */
  public static allowWithinGroup(group: ec2.ISecurityGroup): void {
    if (group.node.tryFindChild(SELF_INGRESS_ID)) {
      return;
    }
    const rule = new ec2.CfnSecurityGroupIngress(group, SELF_INGRESS_ID, {
      groupId: group.securityGroupId,
      ipProtocol: '-1',
      sourceSecurityGroupId: group.securityGroupId,
      description: 'All traffic between members of this group',
    });
    acknowledgeFindings(rule, ['NIST.800.53.R5-EC2RestrictedCommonPorts', 'HIPAA.Security-EC2RestrictedCommonPorts', 'PCI.DSS.321-EC2RestrictedCommonPorts'],
      'Self-referencing rule: only members of this security group can connect, never a CIDR or another group. The members are the library\'s own ' +
      '(the training jobs of one network, the nodes of one HyperPod cluster or the servers of one EFA-enabled file system), which multi-instance ' +
      'training, Slurm and EFA need to reach each other on every port.');
    new ec2.CfnSecurityGroupEgress(group, SELF_EGRESS_ID, {
      groupId: group.securityGroupId,
      ipProtocol: '-1',
      destinationSecurityGroupId: group.securityGroupId,
      description: 'All traffic to members of this group',
    });
  }

  /**
   * Elastic Fabric Adapter: all traffic to and from the group itself, inbound and outbound
   * ({@link allowWithinGroup}). An outbound 0.0.0.0/0 rule alone fails the EFA health checks; EFA
   * wants the self-reference in both directions.
   */
  public static allowEfa(group: ec2.ISecurityGroup): void {
    FileSystemPorts.allowWithinGroup(group);
  }
}

const SELF_INGRESS_ID = 'SelfIngressAllTraffic';
const SELF_EGRESS_ID = 'SelfEgressAllTraffic';
