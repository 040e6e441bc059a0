import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { cfnLintVersion, lintTemplateGroups } from './cfn-lint';
import { CFN_LINT, describeWithTool } from './external-tool';
import { nagFindings } from './nag';

/** One variant of a construct under test: its stack and its template. */
export interface ComplianceVariant {
  readonly stack: Stack;
  readonly template: () => Template;
}

/**
 * The compliance gates for variants of one construct: zero unacknowledged cdk-nag findings (five
 * packs) and zero cfn-lint errors or warnings, each template linted for its own region. Each variant
 * is built once (by the caller) for both; the templates are linted in two cfn-lint processes.
 */
export function describeCompliance(subject: string, variants: ReadonlyArray<readonly [string, ComplianceVariant]>): void {
  const byName = new Map(variants.map(([name, variant], index) => [name, { id: `variant-${index}`, ...variant }]));
  const names = variants.map(([name]) => name);

  describe(`${subject}: cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, Serverless)`, () => {
    test.each(names)('%s has zero unacknowledged findings', (name) => {
      expect(nagFindings(byName.get(name)!.stack)).toEqual([]);
    });
  });

  describeWithTool(CFN_LINT, `${subject}: cfn-lint`, () => {
    let findings = new Map<string, string[]>();
    beforeAll(async () => {
      findings = await lintTemplateGroups(Object.fromEntries([...byName.values()].map(({ id, stack, template }) =>
        [id, { region: stack.region, templates: { [stack.region]: template().toJSON() } }])));
    }, 300_000);

    test.each(names)('%s has zero errors and warnings', (name) => {
      const { id, stack } = byName.get(name)!;
      const problems = findings.get(id)!;
      if (problems.length > 0) {
        throw new Error(`${cfnLintVersion()} on ${stack.region}:\n${problems.join('\n')}`);
      }
    });
  });
}
