export * from './dataset-file-system';
export * from './data-repository-association';
export * from './dataset-file-systems';
export * from './efs-dataset-file-system';
export * from './lustre-dataset-file-system';
export { CFN_LINT_EXCEPTIONS_METADATA_KEY } from './cfn-lint-exceptions';
export { BUCKET_NOTIFICATIONS_RESOURCE_TYPE } from './notification-guard';
