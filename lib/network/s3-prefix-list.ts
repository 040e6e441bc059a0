import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DeploymentFunction } from '../lambda/deployment-function';
import { acknowledgeFinding } from '../nag/acknowledge';

const HANDLER_ID = 'S3PrefixListLookupHandler';
const LOOKUP_ID = 'S3PrefixListLookup';

/**
 * The id of the AWS-managed prefix list of Amazon S3 in the stack's region, for security-group
 * egress rules to the S3 gateway endpoint.
 *
 * CloudFormation cannot name it: `AWS::EC2::VPCEndpoint` returns no prefix-list id
 * (cloudformation-coverage-roadmap#453), and `ec2.PrefixList.fromLookup` needs a concrete account
 * at synth (a context lookup). So a custom resource asks `ec2:DescribeManagedPrefixLists` at
 * deploy time, in whatever account and region the stack lands in (the approach of
 * aws/aws-cdk#15115 and the CloudFormation sample templates' PrefixListResource), from the
 * library's bundled Node.js handler outside the VPC. It asks for `com.amazonaws.<region>.s3` and
 * `cn.com.amazonaws.<region>.s3`, owned by AWS, and fails the deployment unless exactly one
 * matches, naming what it found. One lookup per stack; the id is the same for every VPC of the region.
 *
 * @resource Custom::S3PrefixList
 */
export class S3PrefixList extends Construct {
  /** The CloudFormation type of the resource. */
  public static readonly RESOURCE_TYPE = 'Custom::S3PrefixList';

  /** The id of the S3 prefix list of `scope`'s stack, looked up once per stack. */
  public static idInStackOf(scope: Construct, encryptionKey?: kms.IKey): string {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(LOOKUP_ID) as S3PrefixList | undefined;
    return (existing ?? new S3PrefixList(stack, LOOKUP_ID, encryptionKey)).prefixListId;
  }

  /** The prefix-list id (`pl-…`), a token resolved at deploy time. */
  public readonly prefixListId: string;

  private constructor(scope: Construct, id: string, encryptionKey?: kms.IKey) {
    super(scope, id);
    const handler = DeploymentFunction.ofStack(this, HANDLER_ID, {
      handlerName: 's3-prefix-list-lookup',
      purpose: 'S3 prefix-list lookup',
      encryptionKey,
      calls: 'ec2:DescribeManagedPrefixLists',
      description: 'CloudFormation custom resource: the id of the AWS-managed S3 prefix list of this region, for security-group egress rules',
    });
    const policy = new iam.Policy(this, 'HandlerPolicy', {
      statements: [new iam.PolicyStatement({
        // Describe* actions of EC2 support no resource-level permissions.
        actions: ['ec2:DescribeManagedPrefixLists'],
        resources: ['*'],
      })],
    });
    handler.role.attachInlinePolicy(policy);
    acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]', 'ec2:DescribeManagedPrefixLists supports no resource-level permissions; it only reads prefix-list metadata.');
    for (const rule of ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']) {
      acknowledgeFinding(policy, rule, 'Inline policy of the S3 prefix-list lookup handler role, one read-only action, deleted with the resource that needs it.');
    }
    const resource = new CfnResource(this, 'Resource', {
      type: S3PrefixList.RESOURCE_TYPE,
      properties: { ServiceToken: handler.fn.functionArn },
    });
    resource.node.addDependency(policy);
    this.prefixListId = Token.asString(resource.getAtt('PrefixListId'));
  }
}
