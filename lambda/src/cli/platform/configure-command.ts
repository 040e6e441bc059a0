import { ExitCode, type CommandIo } from '../convert-command';
import { CliConfig, configPath, readCliConfig, writeJsonFile } from './cli-config';
import { UsageError, runCommand, text } from './command-support';

export const CONFIGURE_USAGE = `usage: cdk-sagemaker-datasets configure [--endpoint <url>] [--region <region>] [--profile <name>]

Saves where the platform API is (the stack output ApiUrl) and how to sign for it, in
$CDK_SAGEMAKER_DATASETS_CONFIG or ~/.config/cdk-sagemaker-datasets/config.json. Without options, prints the configuration.`;

/** `configure`: saves endpoint, region and profile (each kept unless given). */
export function configureCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, { usage: CONFIGURE_USAGE, positionals: [0, 0], options: {} }, async (context) => {
    const path = configPath();
    const saved = await readCliConfig(path);
    const endpoint = text(context.values, 'endpoint');
    if (endpoint !== undefined) {
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        throw new UsageError(`--endpoint ${JSON.stringify(endpoint)} is not a URL; use the stack output ApiUrl, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/v1/`);
      }
      if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
        throw new UsageError('--endpoint must be an https:// URL (plain http only for localhost)');
      }
    }
    const updated: CliConfig = {
      ...saved,
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(text(context.values, 'region') !== undefined ? { region: text(context.values, 'region') } : {}),
      ...(text(context.values, 'profile') !== undefined ? { profile: text(context.values, 'profile') } : {}),
    };
    const changed = JSON.stringify(updated) !== JSON.stringify(saved);
    if (changed) await writeJsonFile(path, updated);
    await context.emit({ path, ...updated }, `${changed ? 'saved' : 'configuration'} ${path}:\n` +
      `  endpoint ${updated.endpoint ?? '(not set)'}\n  region   ${updated.region ?? '(not set)'}\n  profile  ${updated.profile ?? '(default credential chain)'}\n`);
    return ExitCode.OK;
  });
}
