import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import {
  LaunchDependencies, LaunchResponse, S3ObjectReader, SageMakerTrainingJobApi, launchTrainingJobs, loadLauncherConfig,
} from '../launcher';

const logger = new Logger();

let dependencies: Omit<LaunchDependencies, 'remainingTimeMs'> | undefined;

/** Built once per container: the configuration is checked at cold start and fails with every problem listed. */
function coldStart(): Omit<LaunchDependencies, 'remainingTimeMs'> {
  if (dependencies === undefined) {
    const config = loadLauncherConfig(process.env);
    dependencies = {
      config,
      datasets: new S3ObjectReader(new S3Client({})),
      // The launcher retries throttling itself (bounded, with jitter); the SDK must not multiply attempts.
      trainingJobs: new SageMakerTrainingJobApi(new SageMakerClient({ maxAttempts: 1 })),
      logger: {
        info: (message, extra) => logger.info(message, { ...extra }),
        warn: (message, extra) => logger.warn(message, { ...extra }),
      },
    };
  }
  return dependencies;
}

/**
 * Launches the training jobs of one request. The event is the request (a JSON object, or its JSON
 * text); the result lists every job, or every field error when the request is rejected.
 */
export async function handler(event: unknown, context: Context): Promise<LaunchResponse> {
  logger.addContext(context);
  const deps = coldStart();
  let request = event;
  if (typeof event === 'string') {
    try {
      request = JSON.parse(event);
    } catch {
      return { outcome: 'rejected', errors: [{ path: 'request', message: 'is not valid JSON' }], jobs: [] };
    }
  }
  return launchTrainingJobs(request, { ...deps, remainingTimeMs: () => context.getRemainingTimeInMillis() });
}
