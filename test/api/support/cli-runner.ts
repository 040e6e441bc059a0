import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalIdentity } from './local-api-server';

/** The CLI as it ships: the bundle the package's `bin` names. */
export const CLI_BUNDLE = join(__dirname, '..', '..', '..', 'assets', 'cli', 'index.js');

export function assertBundleExists(): void {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} is missing: run npm run bundle (npm ci runs it)`);
}

/** The environment of one CLI user: their keys, region, configuration and upload state, nothing from the machine's AWS setup. */
export function userEnvironment(identity: LocalIdentity, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: identity.accessKeyId,
    AWS_SECRET_ACCESS_KEY: identity.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_SAGEMAKER_DATASETS_CONFIG: join(home, 'cli-config.json'),
    CDK_SAGEMAKER_DATASETS_STATE_DIR: join(home, 'upload-state'),
    CDK_SAGEMAKER_DATASETS_POLL_SECONDS: '0.2',
  };
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to the end. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child);
}

/** Starts the CLI and hands back the process (to kill it midway). */
export function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, done: finished(child) };
}

function finished(child: ChildProcess): Promise<CliRun> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({
    code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
  })));
}

/** Whether util-linux `script` (a pseudo-terminal for the CLI) is here. */
export function hasScript(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Runs the CLI on a pseudo-terminal (`script`), returning everything the terminal showed. */
export function runCliOnTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const command = [process.execPath, CLI_BUNDLE, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...env, COLUMNS: '120', TERM: 'xterm' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child);
}
