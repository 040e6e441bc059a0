import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CFN_RESPONSE_PYTHON, InlineDeploymentFunction } from '../lambda/inline-deployment-function';
import { acknowledgeFinding } from '../nag/acknowledge';

/**
 * The handler: finds the AWS-managed prefix list of the S3 gateway service in the region it runs
 * in. Commercial regions name it like the gateway service (`com.amazonaws.<region>.s3`); one public
 * source gives `cn.com.amazonaws.<region>.s3` in China, so both names are asked for, and anything
 * but exactly one match fails the deployment with the names it found. test/network runs it
 * against a stub EC2 client.
 */
export const S3_PREFIX_LIST_HANDLER_SOURCE = `import json
import os
import urllib.request
import boto3

ec2 = boto3.client('ec2')


def s3_prefix_list_id(region):
    names = ['com.amazonaws.%s.s3' % region, 'cn.com.amazonaws.%s.s3' % region]
    found = ec2.describe_managed_prefix_lists(Filters=[
        {'Name': 'prefix-list-name', 'Values': names},
        {'Name': 'owner-id', 'Values': ['AWS']},
    ])['PrefixLists']
    if len(found) != 1:
        raise ValueError('expected exactly one AWS-managed S3 prefix list named %s, found %s' % (
            ' or '.join(names), [p['PrefixListName'] for p in found] or 'none'))
    return found[0]['PrefixListId']


def handler(event, context):
    status, reason, physical_id, data = 'SUCCESS', '', event.get('PhysicalResourceId', 'none'), {}
    try:
        if event['RequestType'] != 'Delete':
            physical_id = s3_prefix_list_id(os.environ['AWS_REGION'])
            data = {'PrefixListId': physical_id}
    except Exception as error:  # report every failure to CloudFormation
        status, reason = 'FAILED', str(error)
    send_response(event, context, status, reason, physical_id, data)


${CFN_RESPONSE_PYTHON}`;

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
 * aws/aws-cdk#15115 and the CloudFormation sample templates' PrefixListResource), from a handler
 * outside the VPC. One lookup per stack; the id is the same for every VPC of the region.
 *
 * @resource Custom::S3PrefixList
 */
export class S3PrefixList extends Construct {
  /** The CloudFormation type of the resource. */
  public static readonly RESOURCE_TYPE = 'Custom::S3PrefixList';

  /** The id of the S3 prefix list of `scope`'s stack, looked up once per stack. */
  public static idInStackOf(scope: Construct, logEncryptionKey?: kms.IKey): string {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(LOOKUP_ID) as S3PrefixList | undefined;
    return (existing ?? new S3PrefixList(stack, LOOKUP_ID, logEncryptionKey)).prefixListId;
  }

  /** The prefix-list id (`pl-…`), a token resolved at deploy time. */
  public readonly prefixListId: string;

  private constructor(scope: Construct, id: string, logEncryptionKey?: kms.IKey) {
    super(scope, id);
    const stack = Stack.of(this);
    const handler = (stack.node.tryFindChild(HANDLER_ID) as InlineDeploymentFunction | undefined) ?? new InlineDeploymentFunction(stack, HANDLER_ID, {
      source: S3_PREFIX_LIST_HANDLER_SOURCE,
      purpose: 'S3 prefix-list lookup',
      logEncryptionKey,
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
