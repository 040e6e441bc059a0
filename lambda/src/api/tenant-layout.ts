import { UPLOAD_PREFIX, UPLOAD_SUFFIX, DATASET_PREFIX, validateChannelName, validateDatasetId } from '../catalog';
import { PLATFORM_TAG_PREFIX } from '../launcher/contract';

/** The tag that names a job's tenant. */
export const TENANT_TAG = `${PLATFORM_TAG_PREFIX}tenant`;

/** `uploads/<tenant>/` */
export function tenantUploadPrefix(tenant: string): string {
  return `${UPLOAD_PREFIX}${tenant}/`;
}

/** `uploads/<tenant>/<datasetId>/<channel>.zip` */
export function tenantUploadKey(tenant: string, datasetId: string, channel: string): string {
  return `${tenantUploadPrefix(tenant)}${validateDatasetId(datasetId)}/${validateChannelName(channel)}${UPLOAD_SUFFIX}`;
}

/** `datasets/<tenant>/` */
export function tenantDatasetPrefix(tenant: string): string {
  return `${DATASET_PREFIX}${tenant}/`;
}
