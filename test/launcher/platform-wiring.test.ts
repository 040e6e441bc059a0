import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LAUNCHER_ENV } from '../../contract/launcher';
import { STATE_CHANGE_ENV } from '../../contract/training-job-events';
import { DatasetPlatformStack } from '../../lib';
import { platformApp, templatesByRegion } from '../support/platform-app';

describe('the example app deploys a launcher wired to each region\'s file system and ingestion', () => {
  const app = platformApp(['us-east-1', 'cn-north-1']);
  const templates = templatesByRegion(app);
  const stacks = app.node.children.filter((child): child is DatasetPlatformStack => child instanceof DatasetPlatformStack);

  test.each([['us-east-1', 'FSxLustre'], ['cn-north-1', 'EFS']])('%s: file-system channels on %s', (region, type) => {
    const stack = stacks.find((candidate) => candidate.region === region)!;
    expect(stack.launcher).toBeDefined();
    const template = templates.get(region)!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [LAUNCHER_ENV.FILE_SYSTEM]: Match.anyValue(), [LAUNCHER_ENV.DATASET_BUCKET]: { Ref: Stack.of(stack).getLogicalId(stack.datasetStorage.bucket.node.defaultChild as never) } }) },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(`"sagemaker:FileSystemType":"${type}"`);
    expect(stack.launcher.eventBus).toBe(stack.ingestion.eventBus);
    expect(stack.launcher.eventSource).toBe(stack.ingestion.eventSource);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [STATE_CHANGE_ENV.EVENT_SOURCE]: stack.ingestion.eventSource }) },
    });
    template.resourceCountIs('AWS::ECR::Repository', 1);
  });

  test('network isolation is off by default', () => {
    const launcherEnvironments = Object.values(templates.get('us-east-1')!.findResources('AWS::Lambda::Function'))
      .map((fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables ?? {})
      .filter((variables) => LAUNCHER_ENV.FILE_SYSTEM in variables);
    expect(launcherEnvironments).toHaveLength(1);
    expect(launcherEnvironments[0][LAUNCHER_ENV.NETWORK_ISOLATION]).toBeUndefined();
    expect(JSON.stringify(templates.get('us-east-1')!.findResources('AWS::IAM::Policy'))).not.toContain('sagemaker:NetworkIsolation');
  });
});

describe('DatasetPlatformStack enableNetworkIsolation', () => {
  test('passes through to the launcher: its function starts isolated jobs and its role may start no other', () => {
    const stack = new DatasetPlatformStack(new App(), 'Isolated', { env: { region: 'us-east-1' }, enableNetworkIsolation: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [LAUNCHER_ENV.NETWORK_ISOLATION]: 'true', [LAUNCHER_ENV.FILE_SYSTEM]: Match.anyValue() }) },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('"sagemaker:NetworkIsolation":"true"');
  });
});
