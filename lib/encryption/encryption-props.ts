import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SecureBucketEncryption, SecureBucketProps } from '../storage/secure-bucket';

/** SSE for a queue: the customer managed key if there is one, else SQS-managed keys. */
export function queueEncryption(key?: kms.IKey): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return key
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };
}

/** Encryption of a bucket the library creates: SSE-KMS with the key if there is one, else SSE-S3. */
export function bucketEncryption(key?: kms.IKey): Pick<SecureBucketProps, 'encryption' | 'encryptionKey'> {
  return key ? { encryption: SecureBucketEncryption.KMS, encryptionKey: key } : {};
}
