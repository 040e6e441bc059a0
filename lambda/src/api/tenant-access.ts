import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { TenantDescriptor } from '../../../contract/tenant-directory';
import { CloudWatchLogStore, S3ObjectStore, SageMakerJobStore } from './aws-adapters';
import type { LogStore, ObjectStore, TrainingJobStore } from './ports';

/** What the API reaches for one tenant: every call signed with that tenant's access role. */
export interface TenantServices {
  readonly objects: ObjectStore;
  readonly jobs: TrainingJobStore;
  readonly logs: LogStore;
}

/** Gives the services of one tenant; the API asks for them only after it has mapped the caller to that tenant. */
export type TenantServicesFactory = (tenant: TenantDescriptor) => TenantServices;

/**
 * A role-chained session (the API's Lambda role assumes the tenant's access role) lasts at most one
 * hour, whatever DurationSeconds asks (IAM: "role chaining limits … to a maximum of one hour").
 */
export const TENANT_SESSION_SECONDS = 3600;

/** SDK clients refresh a cached identity this long before its expiration (the SDK's own window). */
const SDK_REFRESH_WINDOW_MS = 5 * 60 * 1000;

/** How the API assumes a tenant's access role. */
export interface TenantSessionOptions {
  /**
   * URLs presigned with a session stop working when the session expires, so every session the
   * clients use must outlive a fresh presigned URL by this many seconds.
   */
  readonly presignSeconds: number;
  /** The STS client's settings (region, endpoint in tests). @default the Lambda's */
  readonly stsConfig?: Parameters<typeof fromTemporaryCredentials>[0]['clientConfig'];
  /** The credentials that assume the access roles. @default the Lambda's own (its execution role) */
  readonly masterCredentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/**
 * The credentials of one tenant's access role, shared by that tenant's clients. The identity the
 * clients see "expires" `presignSeconds` before the session really does, so the SDK assumes the
 * role again while a URL presigned now would still outlive the session it was signed with.
 */
export function tenantSessionCredentials(tenant: TenantDescriptor, options: TenantSessionOptions): AwsCredentialIdentityProvider {
  if (options.presignSeconds * 1000 + SDK_REFRESH_WINDOW_MS >= TENANT_SESSION_SECONDS * 1000) {
    throw new Error(`Presigned URLs valid ${options.presignSeconds} s cannot be served by a ${TENANT_SESSION_SECONDS} s role-chained session ` +
      `(at most ${TENANT_SESSION_SECONDS - SDK_REFRESH_WINDOW_MS / 1000 - 60} s); lower PlatformApi presignedUrlExpiry.`);
  }
  const assume = fromTemporaryCredentials({
    params: { RoleArn: tenant.accessRoleArn, RoleSessionName: `platform-api-${tenant.name}`, DurationSeconds: TENANT_SESSION_SECONDS },
    ...(options.stsConfig ? { clientConfig: options.stsConfig } : {}),
    ...(options.masterCredentials ? { masterCredentials: options.masterCredentials } : {}),
  });
  const usableUntil = (session: AwsCredentialIdentity) =>
    new Date((session.expiration ?? new Date(Date.now() + TENANT_SESSION_SECONDS * 1000)).getTime() - options.presignSeconds * 1000);
  let session: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    if (!session || usableUntil(session).getTime() - Date.now() <= SDK_REFRESH_WINDOW_MS) {
      pending ??= assume().then((fresh) => (session = fresh)).finally(() => { pending = undefined; });
      await pending;
    }
    return { ...session!, expiration: usableUntil(session!) };
  };
}

/** Client settings besides credentials (region, endpoint, path-style S3 in tests). */
export interface TenantClientSettings {
  readonly region?: string;
  readonly endpoint?: string;
  readonly s3Endpoint?: string;
  readonly forcePathStyle?: boolean;
}

/**
 * The Lambda's {@link TenantServicesFactory}: per tenant, S3, SageMaker and CloudWatch Logs clients
 * signed with the tenant's access role (sts:AssumeRole), built once and kept for the container's life.
 * The API's own role may do nothing but assume the access roles and invoke the launcher, so a
 * mistake in mapping a caller cannot reach data the mapped tenant's role may not reach.
 */
export function assumedRoleServices(options: TenantSessionOptions & { readonly clients?: TenantClientSettings }): TenantServicesFactory {
  return servicesSignedWith((tenant) => tenantSessionCredentials(tenant, options), options.clients);
}

/** Per tenant, clients signed with `credentialsOf(tenant)`, built once per tenant. */
export function servicesSignedWith(credentialsOf: (tenant: TenantDescriptor) => AwsCredentialIdentityProvider,
  settings: TenantClientSettings = {}): TenantServicesFactory {
  const cache = new Map<string, TenantServices>();
  return (tenant) => {
    let services = cache.get(tenant.name);
    if (!services) {
      const common = { credentials: credentialsOf(tenant), ...(settings.region ? { region: settings.region } : {}) };
      const endpoint = settings.endpoint ? { endpoint: settings.endpoint } : {};
      const s3Endpoint = settings.s3Endpoint ?? settings.endpoint;
      services = {
        objects: new S3ObjectStore(new S3Client({
          ...common, ...(s3Endpoint ? { endpoint: s3Endpoint } : {}), ...(settings.forcePathStyle ? { forcePathStyle: true } : {}),
        })),
        jobs: new SageMakerJobStore(new SageMakerClient({ ...common, ...endpoint })),
        logs: new CloudWatchLogStore(new CloudWatchLogsClient({ ...common, ...endpoint })),
      };
      cache.set(tenant.name, services);
    }
    return services;
  };
}
