import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { jsonBody } from './body';
import { CallerIdentity, TenantResolver, callerOf, tenantOf } from './caller';
import type { ApiConfig } from './config';
import type { TenantDescriptor } from '../../../contract/tenant-directory';
import { TrainingJobLaunchOutcome } from '../../../contract/launch-request';
import { API_ROUTES, ApiOperation } from '../../../contract/platform-api';
import { DatasetOperations } from './datasets';
import { ApiError, notFound } from './errors';
import { JobOperations } from './jobs';
import { LogOperations } from './logs';
import type { LaunchPort } from './ports';
import type { TenantServicesFactory } from './tenant-access';
import { UploadOperations } from './uploads';

/** What the API talks to; the Lambda passes AWS adapters, tests pass the same adapters over moto_server. */
export interface ApiDependencies {
  readonly config: ApiConfig;
  readonly tenants: TenantResolver;
  /** S3, SageMaker and CloudWatch Logs as the caller's tenant (its access role), never as the API itself. */
  readonly services: TenantServicesFactory;
  readonly launcher: LaunchPort;
  /** Reports unexpected errors (the caller gets a 500 without internals). */
  readonly onError?: (error: unknown, operation: ApiOperation | undefined) => void;
}

/** The operations of one tenant, over that tenant's services. */
interface TenantOperations {
  readonly uploads: UploadOperations;
  readonly datasets: DatasetOperations;
  readonly jobs: JobOperations;
  readonly logs: LogOperations;
}

/** The request as the operations see it: the operation, path parameters, query and body. */
interface RouteContext {
  readonly tenant: string;
  readonly operations: TenantOperations;
  readonly caller: CallerIdentity;
  readonly path: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: string | null;
}

/** Finds the operation of a REST method and resource (`event.resource` is the template, e.g. `/jobs/{jobName}`). */
export function operationOf(method: string, resource: string): ApiOperation | undefined {
  return (Object.keys(API_ROUTES) as ApiOperation[]).find((name) => API_ROUTES[name].method === method && API_ROUTES[name].path === resource);
}

/** Matches a concrete path (`/jobs/x/logs`) against the route templates; for servers that have no `resource`. */
export function matchRoute(method: string, path: string): { operation: ApiOperation; resource: string; pathParameters: Record<string, string> } | undefined {
  const segments = path.replace(/\/+$/, '').split('/');
  for (const operation of Object.keys(API_ROUTES) as ApiOperation[]) {
    const route = API_ROUTES[operation];
    const template = route.path.split('/');
    if (route.method !== method || template.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const matches = template.every((part, index) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) {
        parameters[name] = decodeURIComponent(segments[index]);
        return segments[index].length > 0;
      }
      return part === segments[index];
    });
    if (matches) return { operation, resource: route.path, pathParameters: parameters };
  }
  return undefined;
}

/**
 * The platform API: maps an API Gateway proxy event to one operation, run for the caller's
 * tenant (from the request context, never the body), and answers JSON.
 */
export class PlatformApiService {
  constructor(private readonly deps: ApiDependencies) {}

  async handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const operation = operationOf(event.httpMethod, event.resource);
    try {
      if (!operation) {
        throw notFound(`No operation ${event.httpMethod} ${event.resource ?? event.path}.`);
      }
      const caller = callerOf(event);
      const tenant = tenantOf(caller, this.deps.tenants);
      const context: RouteContext = {
        tenant: tenant.name,
        operations: this.operationsOf(tenant),
        caller,
        path: (event.pathParameters ?? {}) as Record<string, string>,
        query: event.queryStringParameters ?? {},
        body: event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body,
      };
      const { status, body } = await this.run(operation, context);
      return respond(status, body);
    } catch (error) {
      if (error instanceof ApiError) {
        return respond(error.statusCode, error.body);
      }
      this.deps.onError?.(error, operation);
      return respond(500, { error: { code: 'InternalError', message: 'The platform API failed unexpectedly; the platform team can find the details in its logs.' } });
    }
  }

  private operationsOf(tenant: TenantDescriptor): TenantOperations {
    const services = this.deps.services(tenant);
    const jobs = new JobOperations(this.deps.config, services.jobs, services.objects);
    return {
      uploads: new UploadOperations(this.deps.config, services.objects),
      datasets: new DatasetOperations(this.deps.config, services.objects),
      jobs,
      logs: new LogOperations(this.deps.config, jobs, services.logs),
    };
  }

  private async run(operation: ApiOperation, request: RouteContext): Promise<{ status: number; body: unknown }> {
    const { tenant, path, query, body } = request;
    const { uploads, datasets, jobs, logs } = request.operations;
    switch (operation) {
      case 'createUpload':
        return { status: 201, body: await uploads.create(tenant, body) };
      case 'describeUpload':
        return { status: 200, body: await uploads.describe(tenant, path.uploadId) };
      case 'presignUploadParts':
        return { status: 200, body: await uploads.presignParts(tenant, path.uploadId, body) };
      case 'completeUpload':
        return { status: 200, body: await uploads.complete(tenant, path.uploadId, body) };
      case 'abortUpload':
        return { status: 200, body: await uploads.abort(tenant, path.uploadId) };
      case 'listDatasets':
        return { status: 200, body: await datasets.list(tenant) };
      case 'launchJobs': {
        const response = await this.deps.launcher.launch(tenant, jsonBody(body));
        return { status: response.outcome === TrainingJobLaunchOutcome.REJECTED ? 400 : response.outcome === TrainingJobLaunchOutcome.LAUNCHED ? 201 : 207, body: response };
      }
      case 'listJobs':
        return { status: 200, body: await jobs.list(tenant, query) };
      case 'describeJob':
        return { status: 200, body: await jobs.describe(tenant, path.jobName) };
      case 'stopJob':
        return { status: 200, body: await jobs.stop(tenant, path.jobName) };
      case 'readJobLogs':
        return { status: 200, body: await logs.read(tenant, path.jobName, query) };
      case 'getJobArtifacts':
        return { status: 200, body: await jobs.artifacts(tenant, path.jobName) };
    }
  }
}

function respond(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
