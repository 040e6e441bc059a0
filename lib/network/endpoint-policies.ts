import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Calls signed by principals of the stack's own account only. */
function ownAccountOnly(): Record<string, unknown> {
  return { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } };
}

/**
 * The policy of every interface endpoint the network creates: any action, only for principals of
 * the stack's own account. Credentials of another account (a container that brought its own keys)
 * cannot use the endpoints to reach that account's queues, buses, APIs or logs. All nine services
 * of {@link TrainingEndpoint} accept endpoint policies (SageMaker API, STS, CloudWatch Logs, SQS,
 * EventBridge, ECR api/dkr, Step Functions, Lambda: their user guides' VPC-endpoint pages).
 * Identity policies still decide what each principal may do; the endpoint only bounds whose
 * credentials work through it. `aws:PrincipalAccount` rather than a resource condition because
 * pulls of AWS-owned images (SageMaker's framework containers) name resources of AWS accounts.
 */
export function interfaceEndpointPolicy(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'OwnAccountPrincipalsOnly',
    principals: [new iam.AnyPrincipal()],
    actions: ['*'],
    resources: ['*'],
    conditions: ownAccountOnly(),
  });
}

/**
 * An interface endpoint policy that allows only `actions`, only for principals of the stack's own
 * account: for an endpoint that serves one known client (e.g. a HyperPod cluster's `ssmmessages`
 * and `monitoring` endpoints carry exactly what its execution role may do there).
 */
export function ownAccountActionsPolicy(sid: string, actions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: ['*'],
    conditions: ownAccountOnly(),
  });
}

/**
 * The S3 gateway endpoint's policy: the buckets the platform was told about (for principals of
 * the account) and the AWS-owned bucket ECR serves image layers from; no other bucket of any
 * account is reachable from the training subnets.
 *
 * ECR layers: `s3:GetObject` on `arn:<partition>:s3:::prod-<region>-starport-layer-bucket/*`
 * (Amazon ECR user guide, "Amazon ECR interface VPC endpoints", minimum S3 bucket permissions; the
 * layer GETs are presigned by an ECR account, so no principal condition there). The China
 * regions follow the same naming with the `aws-cn` partition by ARN rules; no China page states the
 * bucket name (see the README's security section). SageMaker's own transfers (File/FastFile
 * channels, checkpoints, model output) run with the execution role and read or write only the
 * platform's buckets; SageMaker pulls training images itself, outside the VPC
 * (`TrainingRepositoryAccessMode: Platform`).
 */
export class S3EndpointPolicy {
  private readonly buckets: iam.PolicyStatement;
  private readonly bucketArns = new Set<string>();

  constructor(private readonly endpoint: ec2.GatewayVpcEndpoint, additionalBucketNames: string[]) {
    endpoint.addToPolicy(new iam.PolicyStatement({
      sid: 'EcrImageLayers',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::prod-${Aws.REGION}-starport-layer-bucket/*`],
    }));
    // IAM decides what each principal does with a bucket; the endpoint decides which buckets data may reach.
    this.buckets = new iam.PolicyStatement({
      sid: 'PlatformBuckets',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:*'],
      conditions: ownAccountOnly(),
    });
    for (const name of additionalBucketNames) {
      this.allowBucket(`arn:${Aws.PARTITION}:s3:::${name}`);
    }
  }

  /** Adds a bucket (by ARN) and its objects; the statement joins the policy with its first bucket. */
  public allowBucket(bucketArn: string): void {
    if (this.bucketArns.has(bucketArn)) return;
    if (this.bucketArns.size === 0) this.endpoint.addToPolicy(this.buckets);
    this.bucketArns.add(bucketArn);
    this.buckets.addResources(bucketArn, `${bucketArn}/*`);
  }
}
