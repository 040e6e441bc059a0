import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** How a platform stack encrypts data at rest. */
export enum PlatformEncryption {
  /**
   * One customer managed KMS key per stack (rotation on) for the buckets (except the access-log
   * bucket: server access logging needs SSE-S3), queues, log groups, file systems, training
   * volumes and output, and the state machine.
   */
  CUSTOMER_MANAGED_KEY = 'CUSTOMER_MANAGED_KEY',
  /** AWS managed and AWS owned keys (SSE-S3, SQS-managed SSE, `aws/fsx`, `aws/elasticfilesystem`, CloudWatch Logs' key). */
  AWS_MANAGED = 'AWS_MANAGED',
}

/** The services whose requests may use the platform key on behalf of principals of the account. */
const VIA_SERVICES = ['s3', 'sqs', 'logs', 'fsx', 'elasticfilesystem', 'sagemaker', 'states', 'ec2', 'lambda'];

/** Properties of a {@link PlatformKey}. */
export interface PlatformKeyProps {
  /**
   * What happens to the key when it leaves the stack. A deleted key makes every object, message
   * and volume it encrypted unreadable, so the default keeps it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The platform's customer managed key: rotation on, and a key policy in the shape of an AWS
 * managed key's, scoped further.
 *
 * - Key administration (no cryptographic use) for the account, through IAM.
 * - Cryptographic use for principals of this account only (`kms:CallerAccount`) and only through
 *   the platform's services in this region (`kms:ViaService` s3, sqs, logs, fsx, elasticfilesystem,
 *   sagemaker, states, ec2, lambda): access to the data stays decided by the bucket, queue and job
 *   permissions, as with AWS managed keys, and nobody can decrypt directly with `kms:Decrypt`.
 * - CloudWatch Logs (`logs.<region>.<suffix>`) for this account's log groups only (the
 *   `aws:logs:arn` encryption context).
 *   This covers FSx for Lustre's per-file-system S3 role on linked buckets too (an account role
 *   calling through S3; FSx for Lustre user guide, "Working with server-side encrypted Amazon S3
 *   buckets").
 *
 * Services that act on their own behalf get statements from aws-cdk-lib's grants where needed
 * (e.g. EventBridge for an encrypted SQS target).
 */
export class PlatformKey extends Construct {
  /** The key. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: PlatformKeyProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the data of the dataset platform ${stack.stackName} (buckets, queues, logs, file systems, training volumes and output)`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // The default key policy (account root: kms:*) would let IAM policies grant direct decryption.
      policy: new iam.PolicyDocument({ statements: platformKeyStatements() }),
    });
  }
}

/** ViaService values for `service` in the stack's region, in both DNS forms (the China form ends in `.cn`). */
function viaService(service: string): string[] {
  return [`${service}.${Aws.REGION}.amazonaws.com`, `${service}.${Aws.REGION}.${Aws.URL_SUFFIX}`];
}

function platformKeyStatements(): iam.PolicyStatement[] {
  const account = new iam.AccountRootPrincipal();
  const callerAccount = { 'kms:CallerAccount': Aws.ACCOUNT_ID };
  const cryptographic = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'];
  return [
    new iam.PolicyStatement({
      sid: 'KeyAdministrationThroughIam',
      principals: [account],
      actions: [
        'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*',
        'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:RotateKeyOnDemand',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'UseThroughPlatformServicesOnly',
      principals: [new iam.AnyPrincipal()],
      actions: cryptographic,
      resources: ['*'],
      conditions: {
        StringEquals: { ...callerAccount, 'kms:ViaService': VIA_SERVICES.flatMap(viaService) },
      },
    }),
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }),
  ];
}
