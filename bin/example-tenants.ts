import { Aws } from 'aws-cdk-lib';
import { Tenant } from '../lib';

/**
 * The example app's two tenants: IAM roles named `vision-*` / `speech-*` of the deploying account
 * (or a JWT `tenant` claim), each with its own quota; speech trains on CPU and small GPUs only.
 */
export function exampleTenants(): Tenant[] {
  const roles = (prefix: string) => [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${prefix}-*`];
  return [
    new Tenant({ name: 'vision', principalArnPatterns: roles('vision'), jwtClaimValues: ['vision'], maxConcurrentJobs: 8 }),
    new Tenant({
      name: 'speech', principalArnPatterns: roles('speech'), jwtClaimValues: ['speech'], maxConcurrentJobs: 4,
      allowedInstanceTypes: ['ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.g5.xlarge'],
    }),
  ];
}
