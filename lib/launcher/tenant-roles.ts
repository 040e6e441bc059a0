import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Tenant } from '../tenancy';

/**
 * The two IAM roles of one tenant, created by the {@link TrainingJobLauncher}:
 *
 * - `executionRole`: the SageMaker execution role of the tenant's jobs. Reads only
 *   `datasets/<tenant>/…` (and `datasets/shared/…` unless the tenant opts out), writes only
 *   `jobs/<tenant>/…`, writes logs only to its jobs' streams.
 * - `accessRole`: what the platform (the launcher, the API) assumes to act for the tenant. It may
 *   create jobs only named `<prefix>-<tenant>-…`, tagged with the tenant, with the tenant's
 *   execution role, instance types and file-system directories; stop, describe and read the logs
 *   and artifacts of the tenant's jobs only; read the tenant's dataset pointers and upload below
 *   `uploads/<tenant>/` (when the platform grants an upload bucket).
 */
export class TenantRoles extends Construct {
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The SageMaker execution role of the tenant's training jobs. */
  public readonly executionRole: iam.Role;
  /** The role the platform assumes to act for the tenant. */
  public readonly accessRole: iam.Role;

  constructor(scope: Construct, id: string, tenant: Tenant, jobNamePrefix: string, launcherRole: iam.IRole) {
    super(scope, id);
    this.tenant = tenant;
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker training jobs ${jobNamePrefix}-${tenant.name}-* of tenant ${tenant.name}`,
    });
    this.accessRole = new iam.Role(this, 'AccessRole', {
      // The launcher's function; TrainingJobLauncher.grantAssumeTenantRoles adds the platform's API.
      assumedBy: new iam.ArnPrincipal(launcherRole.roleArn),
      description: `The dataset platform acting for tenant ${tenant.name} (jobs ${jobNamePrefix}-${tenant.name}-*)`,
    });
  }
}
