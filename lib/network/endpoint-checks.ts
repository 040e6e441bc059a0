import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { connectionsInStackOf } from './cross-stack-connections';
import type { ITrainingNetwork } from './training-network';
import { TrainingEndpoint } from './training-endpoint';

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
