import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { FileSystemPorts, TrainingEndpoint, TrainingNetwork } from 'cdk-sagemaker-datasets';

export function buildUsageExample(app: App): Stack {
  const stack = new Stack(app, 'MyTrainingStack', { env: { region: 'eu-west-1' } });

  // Isolated subnets in two AZs, an S3 gateway endpoint and only the endpoints this team needs.
  const network = new TrainingNetwork(stack, 'Network', {
    interfaceEndpoints: [TrainingEndpoint.SAGEMAKER_API, TrainingEndpoint.CLOUDWATCH_LOGS],
  });

  // A team's own NFS server: open TCP 2049 from training jobs only, never from a CIDR.
  const nfsServer = new ec2.SecurityGroup(stack, 'NfsServer', { vpc: network.vpc, allowAllOutbound: false });
  FileSystemPorts.allowNfs(network, nfsServer);

  // FSx for Lustre lives in one AZ: give its jobs only the training subnets of that AZ.
  const firstAz = network.availabilityZones[0];
  network.subnetsInAvailabilityZone(firstAz);
  return stack;
}
