import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DistributedConversion, DistributedConversionProps, SecureBucket, SecureBucketEncryption, TrainingNetwork } from '../../../lib';

export { nagFindings } from '../../support/nag';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON
export type Json = any;

/** A stack with a network, an upload and a dataset SecureBucket and a DistributedConversion. */
export function conversionStack(props: Partial<DistributedConversionProps> = {}, options: { region?: string; kms?: boolean } = {}) {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { region: options.region ?? 'us-east-1' } });
  const network = new TrainingNetwork(stack, 'Network');
  const encryption = options.kms ? { encryption: SecureBucketEncryption.KMS } : {};
  const uploads = new SecureBucket(stack, 'Uploads', encryption);
  const datasets = new SecureBucket(stack, 'Datasets', { ...encryption, accessLogsBucket: uploads.accessLogsBucket });
  const conversion = new DistributedConversion(stack, 'Distributed', { network, uploadBucket: uploads.bucket, datasetBucket: datasets.bucket, ...props });
  return { app, stack, network, uploads, datasets, conversion, template: () => Template.fromStack(stack) };
}

/** Evaluates CloudFormation intrinsics with readable stand-ins for Refs and GetAtts. */
export function evaluate(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(evaluate);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return object.Ref === 'AWS::Partition' ? 'aws' : object.Ref === 'AWS::Region' ? 'us-east-1' : object.Ref === 'AWS::AccountId' ? '123456789012' : `<${String(object.Ref)}>`;
    if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => evaluate(p)).join(separator);
    }
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, evaluate(v)]));
  }
  return value;
}

/** The state machine's definition as ASL JSON (intrinsics replaced by stand-ins). */
export function definitionOf(template: Template): Json {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Json[];
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  return JSON.parse(evaluate(machines[0].Properties.DefinitionString) as string);
}

/** The statements of the inline policies whose logical id starts with `prefix`. */
export function statementsOf(template: Template, prefix: string): Json[] {
  return Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, Json>)
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
    .map((s: Json) => ({ ...s, Resource: evaluate(s.Resource) }));
}
