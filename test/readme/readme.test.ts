import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildUsageExample } from './usage-example';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README', () => {
  test('the usage example is exactly the file the test suite compiles', () => {
    const block = /<!-- usage-example: test\/readme\/usage-example\.ts[^>]*-->\n```ts nofixture\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(readFileSync(join(__dirname, 'usage-example.ts'), 'utf8'));
  });

  test('the usage example synthesizes what it says', () => {
    const template = Template.fromStack(buildUsageExample(new App()));
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 2);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 2049, ToPort: 2049 });
  });

  test('gives the two commands a newcomer runs, and .ci/run runs the same test command', () => {
    expect(readme).toContain('npm ci && npx cdk synth');
    expect(readme).toContain('npm test');
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
