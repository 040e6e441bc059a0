import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { LambdaLaunchPort } from '../api/aws-adapters';
import { DirectoryTenantResolver } from '../api/caller';
import { loadApiConfig } from '../api/config';
import { API_ENV } from '../../../contract/platform-api';
import { PlatformApiService } from '../api/service';
import { assumedRoleServices } from '../api/tenant-access';
import { parseTenantDirectory, TENANTS_ENV } from '../../../contract/tenant-directory';

const logger = new Logger();
let service: PlatformApiService | undefined;

/** Built once per container; a bad environment fails the cold start with every problem named. */
function coldStart(): PlatformApiService {
  if (service === undefined) {
    const config = loadApiConfig(process.env);
    service = new PlatformApiService({
      config,
      tenants: new DirectoryTenantResolver(parseTenantDirectory(process.env[TENANTS_ENV]), process.env[API_ENV.TENANT_CLAIM] || undefined),
      // Every S3, SageMaker and CloudWatch Logs call runs as the caller's tenant (its access role).
      services: assumedRoleServices({ presignSeconds: config.presignSeconds }),
      launcher: new LambdaLaunchPort(new LambdaClient({}), process.env[API_ENV.LAUNCHER_FUNCTION] ?? ''),
      onError: (error, operation) => logger.error('operation failed', { operation, error: error as Error }),
    });
  }
  return service;
}

/** The platform API (REST API Lambda proxy integration): one function serves every operation. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  logger.addContext(context);
  const result = await coldStart().handle(event);
  logger.info('request', { method: event.httpMethod, resource: event.resource, status: result.statusCode });
  return result;
}
