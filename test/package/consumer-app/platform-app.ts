// A platform team's app, written against the published package only (the README's snippets).
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ComplianceChecks, DatasetChannelSource, DatasetChannelInputMode, DatasetFileSystems, DatasetIngestion, DatasetPlatformParameters, DatasetStorage,
  FileSystemChannel, SecureBucket, TrainingJobLauncher, TrainingJobLaunchRequest, TrainingNetwork,
} from 'cdk-sagemaker-datasets';
import { EXPORT_NAME_PREFIX, PARAMETER_PREFIX, PLATFORM_ENDPOINTS } from './platform-handles';

/** The README's launch request, typed by the package's wire types. */
export const launchRequest: TrainingJobLaunchRequest = {
  clientToken: '3f1c2e4a-5b6c-4d7e-8f90-1a2b3c4d7a81',
  datasetId: 'cats',
  channels: { training: {}, evaluation: { source: DatasetChannelSource.S3, inputMode: DatasetChannelInputMode.FAST_FILE } },
  trainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:v1',
  instanceType: 'ml.g5.xlarge',
  hyperparameters: { epochs: 10 },
  sweep: { grid: { learning_rate: [0.001, 0.0001], batch_size: [32, 64] } },
};

class PlatformStack extends Stack {
  public readonly launcherFunction: lambda.IFunction;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const network = new TrainingNetwork(this, 'Network', {
      interfaceEndpoints: PLATFORM_ENDPOINTS,
    });
    const datasetBucket = new SecureBucket(this, 'DatasetBucket').bucket;

    const fs = DatasetFileSystems.forRegion(this, 'Datasets', { network, datasetBucket, datasetBucketPrefix: 'datasets/' });
    fs.allowClient(network);
    const channel = fs.trainingChannel('training', 'cats/training/v20261122T115526Z-0123456789ab');
    FileSystemChannel.render(channel);

    // The team's own queue for platform events, with its own dead-letter queue.
    const alertsDlq = new sqs.Queue(this, 'AlertsDlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    Validations.of(alertsDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of Alerts.' });
    Validations.of(alertsDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is the dead-letter queue of Alerts.' });
    const alerts = new sqs.Queue(this, 'Alerts', {
      enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, deadLetterQueue: { queue: alertsDlq, maxReceiveCount: 5 },
    });
    const platformApiRole = new iam.Role(this, 'PlatformApiRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    const ingestion = new DatasetIngestion(this, 'Ingestion', { network, datasetBucket, fileSystem: fs });
    ingestion.grantUpload(platformApiRole);
    ingestion.onDatasetConverted('Converted', { target: new targets.SqsQueue(alerts) });
    ingestion.onDatasetConversionFailed('Failed', { target: new targets.SqsQueue(alerts) });

    const repository = new ecr.Repository(this, 'Trainer', { imageScanOnPush: true });
    const launcher = new TrainingJobLauncher(this, 'Launcher', {
      network, datasetBucket, fileSystem: fs, trainingImageRepositories: [repository],
    });
    launcher.grantInvoke(platformApiRole);
    launcher.onTrainingJobStateChanged('Done', { target: new targets.SqsQueue(alerts), eventPattern: { detail: { status: ['Completed', 'Failed'] } } });
    // A lambda.IFunction handle: the launcher's name and ARN are plain properties.
    this.launcherFunction = launcher.launcher;

    // Every handle a team needs, for team stacks of other apps: SSM parameters and exported outputs.
    new DatasetPlatformParameters(this, 'Handles', {
      parameterPrefix: PARAMETER_PREFIX,
      exportNamePrefix: EXPORT_NAME_PREFIX,
      network,
      storage: DatasetStorage.fromFileSystem(fs),
      datasetBucket,
      uploadBucket: ingestion.uploadBucket,
      launcherFunction: launcher.launcher,
      eventBus: ingestion.eventBus,
      eventSource: ingestion.eventSource,
    });
  }
}

const app = new App();
new PlatformStack(app, 'ConsumerPlatform', { env: { region: 'us-east-1' } });
ComplianceChecks.addTo(app);
app.synth();
