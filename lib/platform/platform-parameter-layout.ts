import { Fn, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { throwValidation } from '../validation';

/**
 * The handles a dataset platform publishes, each an SSM String parameter named
 * `<parameterPrefix>/<value>`: the one parameter layout that {@link DatasetPlatformParameters}
 * writes and {@link DatasetPlatformHandles.fromParameters} reads. Lists are comma-joined, in
 * training-subnet order. File-system handles carry the storage kind in their path, so a team stack
 * that imports the wrong kind fails at deploy naming the parameter it could not find.
 */
export enum PlatformParameter {
  /** The VPC id (`vpc-…`). */
  VPC_ID = 'network/vpc-id',
  /** The Availability Zones of the training subnets, one per subnet, comma-joined. */
  AVAILABILITY_ZONES = 'network/availability-zones',
  /** The training subnet ids, comma-joined. */
  TRAINING_SUBNET_IDS = 'network/training-subnet-ids',
  /** The route tables of the training subnets, one per subnet, comma-joined. */
  TRAINING_SUBNET_ROUTE_TABLE_IDS = 'network/training-subnet-route-table-ids',
  /** The number of training subnets (what `trainingSubnetCount` of the import must be). */
  TRAINING_SUBNET_COUNT = 'network/training-subnet-count',
  /** Whether the training subnets have a route out (`true`/`false`). */
  TRAINING_SUBNETS_HAVE_EGRESS = 'network/training-subnets-have-egress',
  /** The training jobs' security group id. */
  TRAINING_SECURITY_GROUP_ID = 'network/training-security-group-id',
  /** The interface endpoints' security group id; absent when the VPC has no interface endpoints of the platform. */
  ENDPOINT_SECURITY_GROUP_ID = 'network/endpoint-security-group-id',
  /** The region's S3 managed prefix list (`pl-…`): training subnets reach S3 through it. */
  S3_PREFIX_LIST_ID = 'network/s3-prefix-list-id',
  /** The `TrainingEndpoint`s the VPC has interface endpoints for, comma-joined; absent when none. */
  INTERFACE_ENDPOINTS = 'network/interface-endpoints',

  /** Where training jobs read datasets: a `DatasetStorageType` value (`FSxLustre`, `EFS` or `S3`). */
  STORAGE_TYPE = 'storage/type',
  /** How S3 channels read a dataset version by default: an `S3InputMode` value. */
  S3_INPUT_MODE = 'storage/s3-input-mode',

  /** FSx for Lustre: the file-system id. */
  LUSTRE_FILE_SYSTEM_ID = 'storage/fsx-lustre/file-system-id',
  /** FSx for Lustre: the mount name. */
  LUSTRE_MOUNT_NAME = 'storage/fsx-lustre/mount-name',
  /** FSx for Lustre: the DNS name clients mount. */
  LUSTRE_DNS_NAME = 'storage/fsx-lustre/dns-name',
  /** FSx for Lustre: the file system's security group id. */
  LUSTRE_SECURITY_GROUP_ID = 'storage/fsx-lustre/security-group-id',
  /** FSx for Lustre: the subnet the file system lives in. */
  LUSTRE_SUBNET_ID = 'storage/fsx-lustre/subnet-id',
  /** FSx for Lustre: the file system's Availability Zone. */
  LUSTRE_AVAILABILITY_ZONE = 'storage/fsx-lustre/availability-zone',
  /** FSx for Lustre: the dataset directory on the file system, e.g. `/datasets`. */
  LUSTRE_DATASET_DIRECTORY = 'storage/fsx-lustre/dataset-directory',

  /** EFS: the file-system id. */
  EFS_FILE_SYSTEM_ID = 'storage/efs/file-system-id',
  /** EFS: the DNS name clients mount. */
  EFS_DNS_NAME = 'storage/efs/dns-name',
  /** EFS: the mount targets' security group id. */
  EFS_SECURITY_GROUP_ID = 'storage/efs/security-group-id',
  /** EFS: the subnets training jobs reading it use (AZs with a mount target), comma-joined. */
  EFS_SUBNET_IDS = 'storage/efs/subnet-ids',
  /** EFS: the Availability Zones of those subnets, comma-joined. */
  EFS_AVAILABILITY_ZONES = 'storage/efs/availability-zones',
  /** EFS: the dataset directory, e.g. `/datasets`. */
  EFS_DATASET_DIRECTORY = 'storage/efs/dataset-directory',
  /** EFS: the writer access point id (`fsap-…`); absent when there is none. */
  EFS_WRITER_ACCESS_POINT_ID = 'storage/efs/writer-access-point-id',

  /** The dataset bucket's name. */
  DATASET_BUCKET_NAME = 'buckets/dataset/name',
  /** The dataset bucket's ARN. */
  DATASET_BUCKET_ARN = 'buckets/dataset/arn',
  /** The upload bucket's name (the ingestion's). */
  UPLOAD_BUCKET_NAME = 'buckets/upload/name',
  /** The upload bucket's ARN. */
  UPLOAD_BUCKET_ARN = 'buckets/upload/arn',

  /** The training-job launcher function's ARN. */
  LAUNCHER_FUNCTION_ARN = 'launcher/function-arn',
  /** The training-job launcher function's name. */
  LAUNCHER_FUNCTION_NAME = 'launcher/function-name',

  /** The platform event bus's name. */
  EVENT_BUS_NAME = 'events/bus-name',
  /** The platform event bus's ARN. */
  EVENT_BUS_ARN = 'events/bus-arn',
  /** The `source` of the platform's events. */
  EVENT_SOURCE = 'events/source',

  /** What `DatasetPlatformHandles.fromParameters` reads to import the network, in one parameter (a record of the network handles). */
  NETWORK_IMPORT = 'import/network',
  /** What `DatasetPlatformHandles.fromParameters` reads to import the FSx for Lustre file system (a record of its handles). */
  LUSTRE_IMPORT = 'import/fsx-lustre',
  /** What `DatasetPlatformHandles.fromParameters` reads to import the EFS file system (a record of its handles). */
  EFS_IMPORT = 'import/efs',
}

/** SSM: letters, digits, `_ . -` and `/`; reserved top levels `aws` and `ssm` (any case). */
const PARAMETER_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;
const RESERVED_TOP_LEVEL = /^\/(aws|ssm)/i;
/** SSM allows 15 levels; the layout's own names take up to 3. */
const MAX_PREFIX_LEVELS = 12;
/**
 * SSM allows 1011 characters for the parameter's full ARN: the ARN head (64 covers every partition
 * and region) and the layout's longest name are kept free.
 */
const MAX_PREFIX_LENGTH = 1011 - 64 - 1 - Math.max(...Object.values(PlatformParameter).map((name) => name.length));

/** The default prefix of a platform stack's parameters. */
export function defaultParameterPrefix(stackName: string): string {
  return `/cdk-sagemaker-datasets/${stackName}`;
}

/** The full SSM name of `parameter` under `prefix`. */
export function platformParameterName(prefix: string, parameter: PlatformParameter): string {
  return `${prefix}/${parameter}`;
}

/**
 * Checks a parameter prefix (`/a/b`, no trailing `/`, SSM name characters, not under `/aws` or
 * `/ssm`) and returns it. `api` names the prop's owner in the message, e.g. `DatasetPlatformParameters`.
 */
export function validateParameterPrefix(scope: IConstruct, api: string, prefix: string): string {
  if (Token.isUnresolved(prefix)) {
    throwValidation(scope, 'ParameterPrefixToken', `${api} ${scope.node.path}: parameterPrefix is a token; it must be a literal string ` +
      '(parameter names and their count are fixed at synth). Pass e.g. \'/cdk-sagemaker-datasets/DatasetPlatform-us-east-1\'.');
  }
  const fail = (rule: string): never => throwValidation(scope, 'InvalidParameterPrefix',
    `${api} ${scope.node.path}: parameterPrefix is ${JSON.stringify(prefix)}; ${rule}. ` +
    'Use a path such as \'/cdk-sagemaker-datasets/DatasetPlatform-us-east-1\'.');
  if (!prefix.startsWith('/')) fail('it must start with \'/\'');
  if (prefix.endsWith('/')) fail('it must not end with \'/\' (the parameter names are appended after one)');
  if (!PARAMETER_PATH.test(prefix)) fail('SSM parameter names hold only letters, digits, \'_\', \'.\', \'-\' and non-empty \'/\'-separated levels');
  if (RESERVED_TOP_LEVEL.test(prefix)) fail('SSM reserves names that begin with \'aws\' or \'ssm\'');
  const levels = prefix.split('/').length - 1;
  if (levels > MAX_PREFIX_LEVELS) fail(`it has ${levels} levels, but SSM allows 15 and the parameter names take 3 (at most ${MAX_PREFIX_LEVELS})`);
  if (prefix.length > MAX_PREFIX_LENGTH) fail(`it has ${prefix.length} characters; at most ${MAX_PREFIX_LENGTH} leave room for the parameter names within SSM's 1011-character ARN`);
  return prefix;
}

/**
 * Import records: what one imported object (the network, a file system) needs, in ONE parameter, so
 * a team stack references one parameter per object it uses and no parameter it does not use
 * (CloudFormation and cfn-lint flag declared-but-unused parameters). Fields are joined with `,` in
 * the order below; list fields with `;`. Empty fields stand for handles the platform does not have.
 */
const FIELD_SEPARATOR = ',';
const LIST_SEPARATOR = ';';

/** The fields of the network record (`import/network`). */
export const NETWORK_RECORD = [
  'vpcId', 'trainingSecurityGroupId', 'endpointSecurityGroupId', 'trainingSubnetIds', 'availabilityZones', 'trainingSubnetRouteTableIds', 's3PrefixListId',
] as const;
/**
 * The fields of the FSx for Lustre record (`import/fsx-lustre`). `datasetDirectory` is written
 * without its leading `/` (see {@link relativeDirectory}).
 */
export const LUSTRE_RECORD = ['fileSystemId', 'mountName', 'dnsName', 'securityGroupId', 'subnetId', 'availabilityZone', 'datasetDirectory'] as const;
/** The fields of the EFS record (`import/efs`); `datasetDirectory` as in {@link LUSTRE_RECORD}. */
export const EFS_RECORD = ['fileSystemId', 'securityGroupId', 'writerAccessPointId', 'subnetIds', 'availabilityZones', 'datasetDirectory'] as const;

/**
 * A directory as a record field: without its leading `/`. An importer reads it back as `/<field>`,
 * a string that still starts with `/` at synth, so joining it below a mount name gives
 * `/<mount>/datasets` at deploy time; the absolute value (a token resolving to `/datasets`) would
 * give `/<mount>//datasets`.
 */
export function relativeDirectory(directory: string): string {
  return Token.isUnresolved(directory) ? directory : directory.replace(/^\/+/, '');
}

/** A directory read from a record field ({@link relativeDirectory}), absolute again. */
export function absoluteDirectory(field: string): string {
  return `/${field}`;
}

/** A record's values by field: strings, or lists for list fields. */
export type RecordValues<F extends readonly string[]> = { [K in F[number]]: string | string[] };

/** One import record's value (tokens joined with `Fn::Join` where needed). */
export function writeRecord<F extends readonly string[]>(fields: F, values: RecordValues<F>): string {
  const field = (value: string | string[]) => Array.isArray(value) ? joinValues(LIST_SEPARATOR, value) : value;
  return joinValues(FIELD_SEPARATOR, fields.map((name: F[number]) => field(values[name])));
}

/** One field of a record read at deploy time (`Fn::Select` of `Fn::Split`). */
export function readField<F extends readonly string[]>(fields: F, record: string, name: F[number]): string {
  return Fn.select(fields.indexOf(name), Fn.split(FIELD_SEPARATOR, record));
}

/** One list field of a record, with `count` items known at synth. */
export function readListField<F extends readonly string[]>(fields: F, record: string, name: F[number], count: number): string[] {
  return Fn.split(LIST_SEPARATOR, readField(fields, record, name), count);
}

/** `values` joined with `separator`: a plain string, or `Fn::Join` when any value is a token. */
export function joinValues(separator: string, values: string[]): string {
  return values.some((value) => Token.isUnresolved(value)) ? Fn.join(separator, values) : values.join(separator);
}
