import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * An AWS API that the platform's Lambdas and training containers call from inside the VPC.
 *
 * Each one becomes an interface VPC endpoint. The service names come from
 * `ec2.InterfaceVpcEndpointAwsService`, which knows the China-region prefixes
 * (`cn.com.amazonaws.cn-north-1.sagemaker.api`, but `com.amazonaws.cn-north-1.logs`).
 */
export enum TrainingEndpoint {
  /** SageMaker API (`sagemaker.api`): the launcher creates and describes training jobs. */
  SAGEMAKER_API = 'SAGEMAKER_API',
  /** AWS STS (`sts`): SDKs in training containers assume roles and resolve credentials. */
  STS = 'STS',
  /** CloudWatch Logs (`logs`): logging from container code. */
  CLOUDWATCH_LOGS = 'CLOUDWATCH_LOGS',
  /** Amazon SQS (`sqs`): the ingestion pipeline's queues. */
  SQS = 'SQS',
  /** Amazon EventBridge (`events`): dataset and training-job status events. */
  EVENTBRIDGE = 'EVENTBRIDGE',
  /** Amazon ECR API (`ecr.api`): image pulls in `Vpc` repository access mode. */
  ECR_API = 'ECR_API',
  /** Amazon ECR Docker registry (`ecr.dkr`): image layers in `Vpc` repository access mode. */
  ECR_DOCKER = 'ECR_DOCKER',
  /** AWS Step Functions (`states`): the ingestion converter hands large zips to the distributed conversion. */
  STEP_FUNCTIONS = 'STEP_FUNCTIONS',
  /** AWS Lambda (`lambda`): the platform API invokes the training-job launcher. */
  LAMBDA = 'LAMBDA',
}

/** Every endpoint, in a stable order: what an isolated network gets by default. */
export const ALL_TRAINING_ENDPOINTS: readonly TrainingEndpoint[] = Object.values(TrainingEndpoint);

const SERVICES: Record<TrainingEndpoint, ec2.InterfaceVpcEndpointAwsService> = {
  [TrainingEndpoint.SAGEMAKER_API]: ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API,
  [TrainingEndpoint.STS]: ec2.InterfaceVpcEndpointAwsService.STS,
  [TrainingEndpoint.CLOUDWATCH_LOGS]: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  [TrainingEndpoint.SQS]: ec2.InterfaceVpcEndpointAwsService.SQS,
  [TrainingEndpoint.EVENTBRIDGE]: ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  [TrainingEndpoint.ECR_API]: ec2.InterfaceVpcEndpointAwsService.ECR,
  [TrainingEndpoint.ECR_DOCKER]: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  [TrainingEndpoint.STEP_FUNCTIONS]: ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
  [TrainingEndpoint.LAMBDA]: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
};

/** The CDK service description of an endpoint. */
export function interfaceEndpointService(endpoint: TrainingEndpoint): ec2.InterfaceVpcEndpointAwsService {
  return SERVICES[endpoint];
}
