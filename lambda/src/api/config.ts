import { API_ENV } from '../../../contract/platform-api';

/** The API Lambda's configuration (the `PlatformApi` construct sets it). */
export interface ApiConfig {
  readonly uploadBucket: string;
  readonly datasetBucket: string;
  readonly artifactsBucket: string;
  readonly maxUploadBytes: number;
  readonly presignSeconds: number;
  readonly jobNamePrefix: string;
  readonly trainingLogGroup: string;
}

/** Reads the configuration from the environment; every missing or bad variable is named at once. */
export function loadApiConfig(environment: Readonly<Record<string, string | undefined>>): ApiConfig {
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = environment[name];
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const positive = (name: string): number => {
    const value = Number(text(name));
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name} must be a positive whole number (got ${JSON.stringify(environment[name])})`);
    return value;
  };
  const config: ApiConfig = {
    uploadBucket: text(API_ENV.UPLOAD_BUCKET),
    datasetBucket: text(API_ENV.DATASET_BUCKET),
    artifactsBucket: text(API_ENV.ARTIFACTS_BUCKET),
    maxUploadBytes: positive(API_ENV.MAX_UPLOAD_BYTES),
    presignSeconds: positive(API_ENV.PRESIGN_SECONDS),
    jobNamePrefix: text(API_ENV.JOB_NAME_PREFIX),
    trainingLogGroup: text(API_ENV.TRAINING_LOG_GROUP),
  };
  if (problems.length > 0) {
    throw new Error(`The platform API's environment is invalid (the PlatformApi construct sets it; redeploy):\n  ${problems.join('\n  ')}`);
  }
  return config;
}
