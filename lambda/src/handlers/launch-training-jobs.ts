import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { Context } from 'aws-lambda';
import {
  LaunchLogger, LaunchResponse, LauncherConfig, ObjectReader, S3ObjectReader, SageMakerTrainingJobApi, StopResponse, TrainingJobApi,
  launchTrainingJobs, loadLauncherConfig, parseInvocation, retrier, stopTrainingJob,
} from '../launcher';
import { TrainingJobLaunchOutcome } from '../../../contract/launch-request';
import type { TenantDescriptor } from '../../../contract/tenant-directory';
import { lambdaMetricSink, launcherResponseMetrics } from '../metrics';

const logger = new Logger();
const launchLogger: LaunchLogger = {
  info: (message, extra) => logger.info(message, { ...extra }),
  warn: (message, extra) => logger.warn(message, { ...extra }),
};

let config: LauncherConfig | undefined;
/** Per tenant: clients signed with the tenant's access role (credentials cached and refreshed by the provider). */
const tenantClients = new Map<string, { datasets: ObjectReader; trainingJobs: TrainingJobApi }>();

function clientsFor(tenant: TenantDescriptor) {
  let clients = tenantClients.get(tenant.name);
  if (!clients) {
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: tenant.accessRoleArn, RoleSessionName: `launcher-${tenant.name}`, DurationSeconds: 900 },
    });
    clients = {
      datasets: new S3ObjectReader(new S3Client({ credentials })),
      // The launcher retries throttling itself (bounded, with jitter); the SDK must not multiply attempts.
      trainingJobs: new SageMakerTrainingJobApi(new SageMakerClient({ credentials, maxAttempts: 1 })),
    };
    tenantClients.set(tenant.name, clients);
  }
  return clients;
}

/**
 * Launches a request's training jobs or stops one job, for the tenant the event names (the
 * platform's API decides it from the caller). Every AWS call runs with the tenant's access role.
 */
export async function handler(event: unknown, context: Context): Promise<LaunchResponse | StopResponse> {
  const response = await respond(event, context);
  lambdaMetricSink(launcherResponseMetrics(context.functionName, response.outcome));
  return response;
}

async function respond(event: unknown, context: Context): Promise<LaunchResponse | StopResponse> {
  logger.addContext(context);
  // Checked at cold start: a misconfigured launcher fails with every problem listed.
  config ??= loadLauncherConfig(process.env);
  const invocation = parseInvocation(event, config.tenants);
  if (!invocation.ok) {
    logger.warn('launcher event rejected', { errors: invocation.errors });
    return { outcome: TrainingJobLaunchOutcome.REJECTED, errors: [...invocation.errors], jobs: [] };
  }
  const { tenant } = invocation;
  logger.appendKeys({ tenant: tenant.name, operation: invocation.operation });
  const clients = clientsFor(tenant);
  if (invocation.operation === 'stop') {
    return stopTrainingJob(invocation.request, { config, tenant, trainingJobs: clients.trainingJobs, retry: retrier({}, launchLogger), logger: launchLogger });
  }
  return launchTrainingJobs(invocation.request, {
    config, tenant, ...clients, logger: launchLogger, remainingTimeMs: () => context.getRemainingTimeInMillis(),
  });
}
