import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { DatasetFileSystems, DatasetIngestion, SecureBucket, TrainingJobLauncher, TrainingNetwork } from '../../lib';
import { nagFindings } from '../support/nag';

/** A consumer's platform stack: the README's constructs plus the consumer's own role, queue and rules. */
function consumerStack() {
  const app = new App();
  const stack = new Stack(app, 'Consumer', { env: { region: 'us-east-1' } });
  const network = new TrainingNetwork(stack, 'Network');
  const datasetBucket = new SecureBucket(stack, 'DatasetBucket').bucket;
  const fs = DatasetFileSystems.forRegion(stack, 'Datasets', { network, datasetBucket, datasetBucketPrefix: 'datasets/' });
  const ingestion = new DatasetIngestion(stack, 'Ingestion', { network, datasetBucket, fileSystem: fs });
  const launcher = new TrainingJobLauncher(stack, 'Launcher', {
    network, datasetBucket, fileSystem: fs, trainingImageRepositories: [new ecr.Repository(stack, 'Trainer', { imageScanOnPush: true })],
  });
  const apiRole = new iam.Role(stack, 'ApiRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  // The consumer's own queue, with its own dead-letter queue: what the consumer builds is its business.
  const alertsDlq = new sqs.Queue(stack, 'AlertsDlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  const alerts = new sqs.Queue(stack, 'Alerts', {
    enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, deadLetterQueue: { queue: alertsDlq, maxReceiveCount: 5 },
  });
  return { app, stack, ingestion, launcher, apiRole, alerts, alertsDlq };
}

describe('library grants and rules leave no findings in consumer code', () => {
  // One consumer stack for every check: the platform is large and synthesis is the slow part.
  const { stack, ingestion, launcher, apiRole, alerts, alertsDlq } = consumerStack();
  launcher.grantInvoke(apiRole);
  launcher.grantInvoke(new iam.AccountPrincipal('111122223333'));
  ingestion.grantUpload(apiRole);
  ingestion.grantReadDatasets(apiRole);
  const converted = ingestion.onDatasetConverted('Converted', { target: new targets.SqsQueue(alerts) });
  ingestion.onDatasetConversionFailed('Failed', { target: new targets.SqsQueue(alerts) });
  launcher.onTrainingJobStateChanged('Done', { target: new targets.SqsQueue(alerts), eventPattern: { detail: { status: ['Completed'] } } });
  const ownDlq = launcher.onTrainingJobStateChanged('DoneOwnDlq', { target: new targets.SqsQueue(alerts, { deadLetterQueue: alertsDlq }) });
  const template = Template.fromStack(stack);
  const id = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

  test('every cdk-nag finding left is on the consumer\'s own queues', () => {
    const findings = nagFindings(stack);
    expect(findings.filter((finding) => !/ at Consumer\/AlertsDlq\//.test(finding))).toEqual([]);
    // The consumer's dead-letter queue has no redrive of its own: that one is the consumer's to judge.
    expect(findings.length).toBeGreaterThan(0);
  });

  test('grantInvoke names the function itself, not its versions and aliases (<arn>:*)', () => {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(apiRole) }] } });
    const statements = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.filter((statement) => statement.Action === 'lambda:InvokeFunction')).toEqual([{
      Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [id(launcher.launcher), 'Arn'] },
    }]);
  });

  test('grantInvoke to another account: a resource-based permission on the function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: '111122223333' });
  });

  test('on*() targets get a dead-letter queue (a child of the rule) that only EventBridge, for that rule, may send to', () => {
    const dlq = converted.node.findChild('DeadLetterQueue');
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(dlq), 'Arn'] } } })],
    });
    expect(template.toJSON().Resources[id(dlq)].Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id(dlq) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [id(converted), 'Arn'] } } },
      })]) },
    });
  });

  test('a target with its own dead-letter queue keeps it, and no queue is added', () => {
    expect(ownDlq.node.tryFindChild('DeadLetterQueue')).toBeUndefined();
    const rule = template.toJSON().Resources[id(ownDlq)];
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(alertsDlq), 'Arn'] } } })]);
  });
});
