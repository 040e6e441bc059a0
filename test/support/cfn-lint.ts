import { execFileSync, spawn } from 'node:child_process';
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

/**
 * Lints several templates for one region in one cfn-lint process (runs of different regions can
 * go concurrently); resolves to cfn-lint's findings as parseable lines naming `<name>.json`.
 */
export function lintTemplates(region: string, templates: Readonly<Record<string, object>>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  const files = Object.entries(templates).map(([name, template]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(template));
    return file;
  });
  const args = ['--regions', region, '--format', 'parseable', '--ignore-checks', ...Object.keys(IGNORED_CFN_LINT_RULES), '--', ...files];
  return new Promise((resolve, reject) => {
    const child = spawn('cfn-lint', args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0 && !stdout) {
        reject(new Error(`cfn-lint failed to run (exit ${status}): ${stderr}`));
        return;
      }
      resolve(stdout.split('\n').filter((line) => line.trim().length > 0).map((line) => line.replace(`${dir}/`, '')));
    });
  });
}

/** Lints one template for one region; resolves to cfn-lint's findings (empty when clean). */
export function lintTemplate(template: object, region: string): Promise<string[]> {
  return lintTemplates(region, { [region]: template });
}

/** cfn-lint's version, for messages. */
export function cfnLintVersion(): string {
  return execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' }).trim();
}
