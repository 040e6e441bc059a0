import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What `configure` saves: where the platform API is and how to sign for it. */
export interface CliConfig {
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** `$CDK_SAGEMAKER_DATASETS_CONFIG`, else `$XDG_CONFIG_HOME/cdk-sagemaker-datasets/config.json` (`~/.config/…`). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CDK_SAGEMAKER_DATASETS_CONFIG ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'cdk-sagemaker-datasets', 'config.json');
}

/** Where interrupted uploads keep their state: `$CDK_SAGEMAKER_DATASETS_STATE_DIR`, else `~/.cache/cdk-sagemaker-datasets/uploads`. */
export function uploadStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CDK_SAGEMAKER_DATASETS_STATE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cdk-sagemaker-datasets', 'uploads');
}

export async function readCliConfig(path = configPath()): Promise<CliConfig> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as CliConfig;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read the CLI configuration ${path}: ${(error as Error).message}. Fix it or run configure again.`);
  }
}

/** Writes a JSON file atomically (temp file + rename), creating its folder. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}
