import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { exampleTenants } from '../../bin/example-tenants';
import { DatasetPlatformApp } from '../../lib';

/** The cdk-nag pack of each finding-id prefix (the five packs the platform runs). */
const PACK_FILES: Record<string, string> = {
  'AwsSolutions': 'aws-solutions.js',
  'NIST.800.53.R5': 'nist-800-53-r5.js',
  'HIPAA.Security': 'hipaa-security.js',
  'PCI.DSS.321': 'pci-dss-321.js',
  'Serverless': 'serverless.js',
};
const packSource = (file: string) => readFileSync(join(require.resolve('cdk-nag'), '..', 'packs', file), 'utf8');

/** Whether `pack` has a rule `name`: by its suffix override (AwsSolutions-IAM5) or by the rule it runs (NIST.800.53.R5-LambdaConcurrency). */
function packHasRule(pack: string, name: string): boolean {
  const source = packSource(PACK_FILES[pack]);
  return new RegExp(`ruleSuffixOverride: '${name}'|\\.${name}\\b`).test(source);
}

interface Acknowledgment { readonly path: string; readonly id: string; readonly reason: string }

/**
 * The cdk-nag acknowledgments below `root`. cdk-nag reports through CDK's Validations API as the
 * plugin "Annotation", so its ids arrive as `Annotation::<finding id>`; other plugins' (cfn-lint's
 * `CloudFormation-Validate::…`) are not cdk-nag's and are left out.
 */
function acknowledgments(root: IConstruct): Acknowledgment[] {
  return root.node.findAll().flatMap((node) => node.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>)
      .filter(([id]) => !/^[A-Za-z-]+::/.test(id) || id.startsWith('Annotation::'))
      .map(([id, reason]) => ({ path: node.node.path, id: id.replace(/^Annotation::/, ''), reason }))));
}

/** The example app with HyperPod, in a Lustre region and a China region (EFS). */
const app = new DatasetPlatformApp({ context: { regions: 'us-east-1,cn-north-1', hyperPod: 'true' }, tenants: exampleTenants() });
const all = acknowledgments(app);

describe('every acknowledgment of the example app', () => {
  test('there are some (the walk finds them)', () => {
    expect(all.length).toBeGreaterThan(50);
  });

  test('names a rule of one of the five packs (no acknowledgment of a finding that cannot occur)', () => {
    const unknown = all.filter(({ id }) => {
      const match = /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|Serverless)-([A-Za-z0-9]+)(\[.*\])?$/.exec(id);
      return !match || !packHasRule(match[1], match[2]);
    });
    expect(unknown.map(({ path, id }) => `${id} at ${path}`)).toEqual([]);
  });

  test('gives a specific reason: a sentence of its own, not a placeholder', () => {
    const vague = all.filter(({ reason }) => reason.trim().length < 40 || /\b(TODO|FIXME|not needed|n\/a|suppress(ed)?)\b/i.test(reason));
    expect(vague).toEqual([]);
  });

  test('no reason claims CloudFormation invokes a custom-resource handler synchronously (it invokes them asynchronously)', () => {
    expect(all.filter(({ reason }) => /invokes it synchronously/.test(reason))).toEqual([]);
  });

  test('an EFS region\'s reasons name no FSx action (the execution role there has none)', () => {
    const cn = all.filter(({ path }) => path.startsWith('DatasetPlatform-cn-north-1/'));
    expect(cn.length).toBeGreaterThan(20);
    expect(cn.filter(({ reason }) => /fsx:/.test(reason)).map(({ path, id }) => `${id} at ${path}`)).toEqual([]);
    expect(all.some(({ path, reason }) => path.startsWith('DatasetPlatform-us-east-1/') && /fsx:DescribeFileSystems/.test(reason))).toBe(true);
  });

  test('the pack matcher is live: it knows real rules and refuses made-up ones', () => {
    expect(packHasRule('AwsSolutions', 'IAM5')).toBe(true);
    expect(packHasRule('NIST.800.53.R5', 'LambdaConcurrency')).toBe(true);
    expect(packHasRule('PCI.DSS.321', 'LambdaConcurrency')).toBe(false);
    expect(packHasRule('Serverless', 'LambdaTracing')).toBe(true);
  });
});
