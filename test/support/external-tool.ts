import { spawnSync } from 'node:child_process';

/** A command-line tool that some tests run for real (cfn-lint, moto_server). */
export interface ExternalTool {
  /** The command, as found on PATH. */
  readonly command: string;
  /** How to install it, shown when it is missing. */
  readonly installHint: string;
  /** Arguments of a cheap invocation that exits 0 when the tool works. Default `--version`. */
  readonly probeArgs?: readonly string[];
}

export const CFN_LINT: ExternalTool = { command: 'cfn-lint', installHint: 'pip install cfn-lint' };
// moto_server has no --version (argparse exits 2 on it); --help exits 0.
export const SHELLCHECK: ExternalTool = { command: 'shellcheck', installHint: 'apt-get install -y shellcheck' };
export const MOTO_SERVER: ExternalTool = { command: 'moto_server', installHint: "pip install 'moto[server]'", probeArgs: ['--help'] };

const availability = new Map<string, boolean>();

export function isToolAvailable(tool: ExternalTool): boolean {
  let available = availability.get(tool.command);
  if (available === undefined) {
    available = spawnSync(tool.command, [...(tool.probeArgs ?? ['--version'])], { stdio: 'ignore' }).status === 0;
    availability.set(tool.command, available);
  }
  return available;
}

/**
 * `describe` for tests that need `tool`. When the tool is missing, the suite fails under CI=true
 * and is skipped elsewhere with a loud message naming the install command.
 */
export function describeWithTool(tool: ExternalTool, name: string, body: () => void): void {
  if (isToolAvailable(tool)) {
    describe(name, body);
    return;
  }
  const message = `${tool.command} is not installed; install it with: ${tool.installHint}`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      test(`requires ${tool.command}`, () => {
        throw new Error(`${message} (CI=true: tests that need it must run).`);
      });
    });
    return;
  }
  console.warn(`\n*** SKIPPING "${name}": ${message} ***\n`);
  describe.skip(name, body);
}
