import { CFN_LINT, describeWithTool } from '../support/external-tool';
import { cfnLintVersion, lintTemplate } from '../support/cfn-lint';
import { platformApp, templatesByRegion } from '../support/platform-app';

const REGIONS = ['us-east-1', 'cn-north-1', 'cn-northwest-1', 'eu-west-1', 'us-gov-west-1'];

describeWithTool(CFN_LINT, 'cfn-lint: every synthesized template, linted for its own region', () => {
  const templates = templatesByRegion(platformApp(REGIONS));

  test('synthesizes one template per region', () => {
    expect([...templates.keys()].sort()).toEqual([...REGIONS].sort());
  });

  test.concurrent.each(REGIONS)('%s has zero errors and zero warnings', async (region) => {
    const findings = await lintTemplate(templates.get(region)!.toJSON(), region);
    if (findings.length > 0) {
      throw new Error(`${cfnLintVersion()} on ${region}:\n${findings.join('\n')}`);
    }
  });
});
