// A team's app, separate from the platform's (platform-app.ts): its stacks use the platform's
// network and FSx for Lustre file system through the handles the platform published, and run
// their own training-job launcher. No acknowledgment of any finding appears below.
import { App, Fn, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  ComplianceChecks, DatasetPlatformHandles, DatasetStorageType, IDatasetFileSystem, ITrainingNetwork, LustreDatasetFileSystem,
  TrainingJobLauncher, TrainingNetwork,
} from 'cdk-sagemaker-datasets';
import { EXPORT_NAME_PREFIX, PARAMETER_PREFIX, PLATFORM_ENDPOINTS } from './platform-handles';

interface TeamResources {
  readonly network: ITrainingNetwork;
  readonly fileSystem: IDatasetFileSystem;
  readonly datasetBucket: s3.IBucket;
}

/** What every team stack builds on the platform: its own launcher, invoked by its own role. */
function addTeamLauncher(stack: Stack, team: string, platform: TeamResources): TrainingJobLauncher {
  const repository = new ecr.Repository(stack, 'TeamImages', { imageScanOnPush: true });
  const launcher = new TrainingJobLauncher(stack, 'Launcher', {
    network: platform.network,
    datasetBucket: platform.datasetBucket,
    fileSystem: platform.fileSystem,
    trainingImageRepositories: [repository],
    jobNamePrefix: team,
  });
  const scientists = new iam.Role(stack, 'Scientists', { assumedBy: new iam.AccountRootPrincipal() });
  launcher.grantInvoke(scientists);
  return launcher;
}

/** One call: every handle from the platform's SSM parameters. */
class TeamFromParametersStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const platform = DatasetPlatformHandles.fromParameters(this, 'Platform', {
      parameterPrefix: PARAMETER_PREFIX,
      storageType: DatasetStorageType.FSX_LUSTRE,
      interfaceEndpoints: PLATFORM_ENDPOINTS,
    });
    addTeamLauncher(this, 'vision', { network: platform.network, fileSystem: platform.fileSystem!, datasetBucket: platform.datasetBucket });
  }
}

/** Attribute by attribute: the platform's exported outputs into fromTrainingNetworkAttributes and fromLustreDatasetFileSystemAttributes. */
class TeamFromAttributesStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const exported = (handle: string) => Fn.importValue(`${EXPORT_NAME_PREFIX}-${handle}`);
    const perSubnet = (handle: string) => Fn.split(',', exported(handle), 2);
    const network = TrainingNetwork.fromTrainingNetworkAttributes(this, 'Network', {
      vpcId: exported('VpcId'),
      availabilityZones: perSubnet('AvailabilityZones'),
      trainingSubnetIds: perSubnet('TrainingSubnetIds'),
      trainingSubnetRouteTableIds: perSubnet('TrainingSubnetRouteTableIds'),
      trainingSecurityGroupId: exported('TrainingSecurityGroupId'),
      endpointSecurityGroupId: exported('EndpointSecurityGroupId'),
      interfaceEndpoints: PLATFORM_ENDPOINTS,
      s3PrefixListId: exported('S3PrefixListId'),
    });
    const fileSystem = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(this, 'Datasets', {
      fileSystemId: exported('LustreFileSystemId'),
      mountName: exported('LustreMountName'),
      securityGroupId: exported('LustreSecurityGroupId'),
      subnetId: exported('LustreSubnetId'),
      availabilityZone: exported('LustreAvailabilityZone'),
      network,
    });
    const datasetBucket = s3.Bucket.fromBucketName(this, 'DatasetBucket', exported('DatasetBucketName'));
    addTeamLauncher(this, 'speech', { network, fileSystem, datasetBucket });
  }
}

const app = new App();
new TeamFromParametersStack(app, 'TeamFromParameters', { env: { region: 'us-east-1' } });
new TeamFromAttributesStack(app, 'TeamFromAttributes', { env: { region: 'us-east-1' } });
ComplianceChecks.addTo(app);
app.synth();
