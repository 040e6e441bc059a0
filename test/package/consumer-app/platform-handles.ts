// What the platform team tells team apps (in a real organisation: its README): where the handles are.
import { TrainingEndpoint } from 'cdk-sagemaker-datasets';

/** Where the platform publishes its handles as SSM parameters. */
export const PARAMETER_PREFIX = '/consumer/platform';

/** The export-name prefix of the platform's handle outputs. */
export const EXPORT_NAME_PREFIX = 'ConsumerPlatform';

/** The interface endpoints the platform's VPC has (its `network/interface-endpoints` parameter). */
export const PLATFORM_ENDPOINTS = [TrainingEndpoint.SAGEMAKER_API, TrainingEndpoint.CLOUDWATCH_LOGS, TrainingEndpoint.EVENTBRIDGE, TrainingEndpoint.STEP_FUNCTIONS];
