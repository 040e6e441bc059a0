import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** One template to lint, for the region it deploys to. */
export interface RegionalTemplate {
  /** How findings name it (`<name>.json`). */
  readonly name: string;
  /** The region whose CloudFormation schemas it is checked against. */
  readonly region: string;
  readonly template: object;
}

/**
 * How many cfn-lint processes one test worker runs at once. Each spends about 2 s starting and
 * then 3–5 s of one core per platform template, so more than the machine's cores only queues.
 */
const MAX_CONCURRENT_PROCESSES = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function withProcessSlot<T>(task: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_PROCESSES) {
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  running++;
  try {
    return await task();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Lints several templates in one cfn-lint process, each for its own region: the region goes into
 * the copy's `Metadata.cfn-lint.config.regions` (cfn-lint's per-template configuration), so no
 * `--regions` flag applies one region to all. Resolves to cfn-lint's findings as parseable lines
 * naming `<name>.json`. At most {@link MAX_CONCURRENT_PROCESSES} processes run at once.
 */
export function lintRegionalTemplates(templates: readonly RegionalTemplate[]): Promise<string[]> {
  return withProcessSlot(() => {
    const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    const files = templates.map(({ name, region, template }) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(forRegion(template, region)));
      return file;
    });
    const args = ['--format', 'parseable', '--ignore-checks', ...Object.keys(IGNORED_CFN_LINT_RULES), '--', ...files];
    return new Promise<string[]>((resolve, reject) => {
      const child = spawn('cfn-lint', args);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => { stdout += chunk; });
      child.stderr.on('data', (chunk) => { stderr += chunk; });
      child.on('error', reject);
      child.on('close', (status) => {
        rmSync(dir, { recursive: true, force: true });
        if (status !== 0 && !stdout) {
          reject(new Error(`cfn-lint failed to run (exit ${status}): ${stderr}`));
          return;
        }
        resolve(stdout.split('\n').filter((line) => line.trim().length > 0).map((line) => line.replace(`${dir}/`, '')));
      });
    });
  });
}

/** A copy of `template` whose cfn-lint configuration names `region` as the only region. */
function forRegion(template: object, region: string): object {
  const t = template as { Metadata?: Record<string, { config?: Record<string, unknown> }> };
  const lint = t.Metadata?.['cfn-lint'] ?? {};
  return { ...t, Metadata: { ...t.Metadata, 'cfn-lint': { ...lint, config: { ...lint.config, regions: [region] } } } };
}

/**
 * Lints several templates for one region in one cfn-lint process (runs of different regions can
 * go concurrently); resolves to cfn-lint's findings as parseable lines naming `<name>.json`.
 */
export function lintTemplates(region: string, templates: Readonly<Record<string, object>>): Promise<string[]> {
  return lintRegionalTemplates(Object.entries(templates).map(([name, template]) => ({ name, region, template })));
}

/** Templates to lint for one region, by name (`<name>.json` in findings). */
export interface RegionalTemplateGroup {
  readonly region: string;
  readonly templates: Readonly<Record<string, object>>;
}

/**
 * Lints several groups of templates in as few cfn-lint processes as {@link MAX_CONCURRENT_PROCESSES}
 * allows (cfn-lint spends about 2 s starting), each template for its group's region. Resolves to
 * each group's findings, named as in {@link lintTemplates} (`<name>.json`); a line that names no
 * template (cfn-lint's own error) goes to every group of its process.
 */
export async function lintTemplateGroups(groups: Readonly<Record<string, RegionalTemplateGroup>>): Promise<Map<string, string[]>> {
  const entries = Object.entries(groups).flatMap(([group, { region, templates }]) =>
    Object.entries(templates).map(([name, template]) => ({ group, name: `${group}.${name}`, region, template })));
  const batches = Array.from({ length: Math.min(MAX_CONCURRENT_PROCESSES, entries.length) }, (_, i) => entries.filter((_entry, j) => j % MAX_CONCURRENT_PROCESSES === i));
  const findings = new Map(Object.keys(groups).map((group) => [group, [] as string[]]));
  await Promise.all(batches.map(async (batch) => {
    const lines = await lintRegionalTemplates(batch);
    const groupsOfBatch = new Set(batch.map((entry) => entry.group));
    for (const line of lines) {
      const owner = batch.find((entry) => line.startsWith(`${entry.name}.json:`));
      for (const group of owner ? [owner.group] : groupsOfBatch) {
        findings.get(group)!.push(owner ? line.slice(group.length + 1) : line);
      }
    }
  }));
  return findings;
}

/** Lints one template for one region; resolves to cfn-lint's findings (empty when clean). */
export function lintTemplate(template: object, region: string): Promise<string[]> {
  return lintTemplates(region, { [region]: template });
}

/** cfn-lint's version, for messages. */
export function cfnLintVersion(): string {
  return execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' }).trim();
}
