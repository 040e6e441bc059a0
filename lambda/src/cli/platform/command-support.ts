import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode, type CommandIo } from '../convert-command';
import { ApiRequestError, PlatformApiClient } from './api-client';
import { CliConfig, configPath, readCliConfig } from './cli-config';

/** A mistake in the command line: exit 2 with the command's usage. */
export class UsageError extends Error {}

/** The flags every platform command takes. */
export const COMMON_OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `common options:
  --endpoint <url>   the platform API (default: from configure, or $CDK_SAGEMAKER_DATASETS_ENDPOINT)
  --region <region>  the API's region (default: from configure, or $AWS_REGION)
  --profile <name>   AWS profile to sign with (default: from configure, or the standard credential chain)
  --json             print exactly one JSON document on stdout
  -h, --help         show this help`;

/** Parsed option values. */
export type OptionValues = { readonly [name: string]: string | boolean | (string | boolean)[] | undefined };

/** A string option's value, or undefined. */
export function text(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string option's values. */
export function texts(values: OptionValues, name: string): string[] {
  const value = values[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((item): item is string => typeof item === 'string');
}

/** What a platform command receives: its parsed arguments, output streams and a client factory. */
export interface CommandContext<V> {
  readonly values: V;
  readonly positionals: string[];
  readonly io: CommandIo;
  readonly json: boolean;
  client(): Promise<PlatformApiClient>;
  /** Writes the result: JSON (--json) or the text. */
  emit(result: unknown, text: string): Promise<void>;
  /** Progress and notes for people (stderr). */
  note(text: string): Promise<void>;
}

/** The environment a command runs in (tests substitute it). */
export interface CommandEnvironment {
  readonly env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (progress bars). */
  readonly interactive: boolean;
}

export function defaultEnvironment(io: CommandIo): CommandEnvironment {
  return { env: process.env, interactive: (io.stderr as { isTTY?: boolean }).isTTY === true };
}

/**
 * Runs one platform command: parses flags (common + its own), prints help, builds a signed client
 * from flags, the saved configuration and the environment, and maps errors to exit codes and messages.
 */
export async function runCommand(
  argv: string[],
  io: CommandIo,
  spec: { readonly usage: string; readonly options: ParseArgsConfig['options']; readonly positionals: [number, number] },
  body: (context: CommandContext<OptionValues>) => Promise<number>,
): Promise<number> {
  const wantsJson = argv.includes('--json');
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...COMMON_OPTIONS, ...spec.options } }) as typeof parsed;
    if (parsed.values.help) {
      await write(io.stdout, `${spec.usage}\n${COMMON_HELP}\n`);
      return ExitCode.OK;
    }
    const [min, max] = spec.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(parsed.positionals.length < min ? 'missing arguments' : `unexpected arguments: ${parsed.positionals.slice(max).join(' ')}`);
    }
  } catch (error) {
    return report(io, wantsJson, ExitCode.USAGE, 'usage', `${(error as Error).message}\n\n${spec.usage}\n${COMMON_HELP}`);
  }
  const values = parsed.values;
  const json = values.json === true;
  let client: PlatformApiClient | undefined;
  const context = {
    values: parsed.values,
    positionals: parsed.positionals,
    io,
    json,
    client: async () => {
      client ??= await buildClient(values, process.env);
      return client;
    },
    emit: (result: unknown, text: string) => write(io.stdout, json ? `${JSON.stringify(result, null, 2)}\n` : text),
    note: (text: string) => write(io.stderr, text),
  };
  try {
    return await body(context);
  } catch (error) {
    return reportError(io, json, error);
  }
}

export async function buildClient(values: OptionValues, env: NodeJS.ProcessEnv): Promise<PlatformApiClient> {
  const saved: CliConfig = await readCliConfig(configPath(env));
  const endpoint = (values.endpoint as string | undefined) ?? env.CDK_SAGEMAKER_DATASETS_ENDPOINT ?? saved.endpoint;
  const region = (values.region as string | undefined) ?? saved.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!endpoint) {
    throw new UsageError('no platform API endpoint: run `cdk-sagemaker-datasets configure --endpoint <url> --region <region>` ' +
      '(the URL is the stack output ApiUrl), or pass --endpoint.');
  }
  if (!region) {
    throw new UsageError('no region: pass --region or run configure --region <region>.');
  }
  const profile = (values.profile as string | undefined) ?? saved.profile;
  // An API with a JWT authorizer takes the user's token (from their identity provider) instead of a SigV4 signature.
  const bearerToken = env.CDK_SAGEMAKER_DATASETS_TOKEN?.trim();
  return new PlatformApiClient({ endpoint, region, ...(profile ? { profile } : {}), ...(bearerToken ? { bearerToken } : {}) });
}

/** Maps an error to its exit code: the platform refused (1), usage (2), anything else (3). */
export async function reportError(io: CommandIo, json: boolean, error: unknown): Promise<number> {
  if (error instanceof UsageError) {
    return report(io, json, ExitCode.USAGE, 'usage', error.message);
  }
  if (error instanceof ApiRequestError) {
    const refused = error.statusCode >= 400 && error.statusCode < 500;
    const hint = error.statusCode === 403 && error.code === 'AccessDenied'
      ? ' (API Gateway refused the signature or the caller may not invoke the API: check --profile/--region and that your role is allowed execute-api:Invoke)' : '';
    return report(io, json, refused ? ExitCode.REJECTED_INPUT : ExitCode.FAILURE, error.code, `${error.message}${hint}`);
  }
  const name = (error as { name?: string }).name;
  if (name === 'CredentialsProviderError') {
    return report(io, json, ExitCode.FAILURE, 'credentials', `no AWS credentials: ${(error as Error).message} (set AWS_PROFILE, run aws sso login, or pass --profile)`);
  }
  return report(io, json, ExitCode.FAILURE, 'failure', error instanceof Error ? error.message : String(error));
}

export async function report(io: CommandIo, json: boolean, exitCode: number, code: string, message: string): Promise<number> {
  if (json) {
    await write(io.stdout, `${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  } else {
    await write(io.stderr, `error: ${message}\n`);
  }
  return exitCode;
}

export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((done, reject) => stream.write(text, (error) => (error ? reject(error) : done())));
}
