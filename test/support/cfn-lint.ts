import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * cfn-lint rules ignored for every template, each with its reason. Nothing else is ignored.
 */
export const IGNORED_CFN_LINT_RULES: Readonly<Record<string, string>> = {
  // aws-cdk-lib's custom-resource providers (e.g. the one behind restrictDefaultSecurityGroup) put
  // a DependsOn on their role next to a GetAtt of it: redundant, harmless, and not ours to change.
  W3005: 'aws-cdk-lib custom-resource providers declare DependsOn alongside GetAtt',
};

/** Lints one template for one region; returns cfn-lint's findings as text lines (empty when clean). */
export function lintTemplate(template: object, region: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  const file = join(dir, `${region}.template.json`);
  writeFileSync(file, JSON.stringify(template));
  const args = ['--regions', region, '--format', 'parseable', '--ignore-checks', ...Object.keys(IGNORED_CFN_LINT_RULES), '--', file];
  const result = spawnSync('cfn-lint', args, { encoding: 'utf8' });
  if (result.status !== 0 && !result.stdout) {
    throw new Error(`cfn-lint failed to run (exit ${result.status}): ${result.stderr}`);
  }
  return result.stdout.split('\n').filter((line) => line.trim().length > 0);
}

/** cfn-lint's version, for messages. */
export function cfnLintVersion(): string {
  return execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' }).trim();
}
