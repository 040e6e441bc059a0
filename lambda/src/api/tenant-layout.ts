import { DATASET_PREFIX, UPLOAD_PREFIX, UPLOAD_SUFFIX, validateChannelName, validateDatasetId } from '../catalog';

export { TENANT_TAG } from '../../../contract/tenant-directory';

/** `uploads/<tenant>/` */
export function tenantUploadPrefix(tenant: string): string {
  return `${UPLOAD_PREFIX}${tenant}/`;
}

/** `datasets/<tenant>/` */
export function tenantDatasetPrefix(tenant: string): string {
  return `${DATASET_PREFIX}${tenant}/`;
}

/** `uploads/<tenant>/<datasetId>/<channel>.zip` */
export function tenantUploadKey(tenant: string, datasetId: string, channel: string): string {
  return `${tenantUploadPrefix(tenant)}${validateDatasetId(datasetId)}/${validateChannelName(channel)}${UPLOAD_SUFFIX}`;
}
