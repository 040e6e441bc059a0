import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { throwUnscoped } from '../validation';

/**
 * The value `aws:PrincipalArn` takes for requests signed by `principal`: a role's ARN (for every
 * session of the role), a user's ARN, or the ARN of an `ArnPrincipal` (e.g. `AccountRootPrincipal`).
 * Resource policies that deny everyone but a list of principals compare against it.
 * Throws for principals that have no such ARN (service, federated, organization principals).
 */
export function principalArnOf(principal: iam.IPrincipal, where: string): string {
  const candidate = principal as Partial<iam.IRole & iam.IUser & iam.ArnPrincipal>;
  const arn = candidate.roleArn ?? candidate.userArn ?? (principal instanceof iam.ArnPrincipal ? principal.arn : undefined);
  if (arn === undefined) {
    throwUnscoped('NoPrincipalArn', `${where}: ${principal} has no principal ARN (aws:PrincipalArn) a resource policy could name. ` +
      'Use an IAM role or user (e.g. iam.Role.fromRoleArn()) or an iam.ArnPrincipal.');
  }
  if (!Token.isUnresolved(arn) && !/^arn:[^:]+:(iam|sts)::\d{12}:/.test(arn)) {
    throwUnscoped('InvalidPrincipalArn', `${where}: "${arn}" is not an IAM principal ARN (arn:<partition>:iam::<account>:role/<name>, …:user/<name> or …:root).`);
  }
  return arn;
}
