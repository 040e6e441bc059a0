import { EC2Client } from '@aws-sdk/client-ec2';
import { customResourceHandler, s3PrefixListWork } from '../custom-resources';

function region(): string {
  const value = process.env.AWS_REGION;
  if (!value) throw new Error('AWS_REGION is not set; Lambda sets it in every function.');
  return value;
}

/** `Custom::S3PrefixList` (S3PrefixList construct). */
export const handler = customResourceHandler(s3PrefixListWork(new EC2Client({}), region()));
