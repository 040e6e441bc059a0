import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { exampleTenants } from '../../bin/example-tenants';
import { DatasetPlatformApp } from '../../lib';

/** The example app (bin/app.ts: its two tenants) for the given regions, without synthesizing it. */
export function platformApp(regions: readonly string[]): App {
  return new DatasetPlatformApp({ context: { regions: regions.join(',') }, tenants: exampleTenants() });
}

/** The synthesized template of every stack of an app, keyed by the stack's region. */
export function templatesByRegion(app: App): Map<string, Template> {
  const stacks = app.node.children.filter((child): child is Stack => Stack.isStack(child));
  return new Map(stacks.map((stack) => [stack.region, Template.fromStack(stack, { skipCyclicalDependenciesCheck: false })]));
}
