import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatasetPlatformApp } from '../../lib';

/** The example app for the given regions, without synthesizing it. */
export function platformApp(regions: readonly string[]): App {
  return new DatasetPlatformApp({ context: { regions: regions.join(',') } });
}

/** The synthesized template of every stack of an app, keyed by the stack's region. */
export function templatesByRegion(app: App): Map<string, Template> {
  const stacks = app.node.children.filter((child): child is Stack => Stack.isStack(child));
  return new Map(stacks.map((stack) => [stack.region, Template.fromStack(stack, { skipCyclicalDependenciesCheck: false })]));
}
