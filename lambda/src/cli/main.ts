import { CONVERTER_VERSION } from '../dataset/version';
import { convertCommand, ExitCode, type CommandIo } from './convert-command';
import { inspectCommand } from './inspect-command';

const USAGE = `usage: cdk-sagemaker-datasets <command> [options]

commands:
  convert <zip> --out <dir> [--channel training] [--shard-size 128MiB] [--seed N] [--json]
      convert a zip of images into TFRecord shards, labels.txt and manifest.json
  inspect <file.tfrecord> [--json] [--limit N]
      print the records of a TFRecord file and verify every CRC

Run a command with --help for its options. --version prints the version.
`;

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'convert':
      return convertCommand(rest, io);
    case 'inspect':
      return inspectCommand(rest, io);
    case '--version':
      io.stdout.write(`${CONVERTER_VERSION}\n`);
      return ExitCode.OK;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(USAGE);
      return command === undefined ? ExitCode.USAGE : ExitCode.OK;
    default:
      io.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return ExitCode.USAGE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = ExitCode.FAILURE;
    },
  );
}
