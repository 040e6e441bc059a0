import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { connectionsInStackOf } from './cross-stack-connections';
import type { ITrainingNetwork } from './training-network';
import { ALL_TRAINING_ENDPOINTS, TrainingEndpoint } from './training-endpoint';

/**
 * Warns on `scope` when the training subnets have no route out and the network has no interface
 * endpoint for `endpoint` (created by it, or declared when it was imported).
 */
export function warnIfEndpointMissing(network: ITrainingNetwork, scope: IConstruct, endpoint: TrainingEndpoint, consequence: string, isolated: boolean): void {
  if (!isolated || network.hasInterfaceEndpoint(endpoint)) {
    return;
  }
  Annotations.of(scope).addWarningV2(`cdk-sagemaker-datasets:missingEndpoint${endpoint}`,
    `The training subnets have no route out and the VPC has no ${endpoint} interface endpoint, so ${consequence}. ` +
    `Add TrainingEndpoint.${endpoint} to the network's interfaceEndpoints (for an imported network: create the endpoint in the VPC, ` +
    'then list it in interfaceEndpoints of fromTrainingNetworkAttributes), or give the subnets egress.');
}

/** HTTPS from `peer` to the endpoints' group, written in `peer`'s stack when the two differ. */
export function allowEndpointAccess(endpointSecurityGroup: ec2.ISecurityGroup | undefined, peer: ec2.IConnectable): void {
  if (!endpointSecurityGroup) return;
  connectionsInStackOf(endpointSecurityGroup, peer).connections.allowFrom(peer, ec2.Port.tcp(443), 'HTTPS to the interface endpoints');
}

/** What {@link allowServiceAccess} needs to know besides the network. */
export interface ServiceAccessOptions {
  /** The region's S3 prefix-list id. */
  readonly s3PrefixListId: string;
  /** Whether the training subnets have a route out (NAT). */
  readonly hasEgress: boolean;
}

/**
 * Egress from `peer` to the AWS services of the training subnets: HTTPS to the interface
 * endpoints' group and to S3's managed prefix list. HTTPS to any address only where the subnets
 * have a route out and an endpoint the library uses is missing (public AWS endpoints have no fixed
 * addresses), with a warning that names the missing endpoints.
 */
export function allowServiceAccess(network: ITrainingNetwork, peer: ec2.IConnectable, options: ServiceAccessOptions): void {
  allowEndpointAccess(network.endpointSecurityGroup, peer);
  peer.connections.allowTo(ec2.Peer.prefixList(options.s3PrefixListId), ec2.Port.tcp(443), 'HTTPS to S3 (gateway endpoint prefix list)');
  const missing = ALL_TRAINING_ENDPOINTS.filter((endpoint) => !network.hasInterfaceEndpoint(endpoint));
  if (options.hasEgress && missing.length > 0) {
    peer.connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to public AWS endpoints (no interface endpoint)');
    Annotations.of(network).addWarningV2('cdk-sagemaker-datasets:httpsToInternet',
      `The network has no interface endpoint for ${missing.join(', ')}, so platform security groups allow HTTPS (443) to any address through the NAT route. ` +
      'Create those endpoints (interfaceEndpoints, or declare existing ones when importing) to close egress to the endpoints and S3 only.');
  }
}
