import { CONVERTER_VERSION } from '../dataset/version';
import { convertCommand, ExitCode, type CommandIo } from './convert-command';
import { inspectCommand } from './inspect-command';
import { configureCommand } from './platform/configure-command';
import { datasetsCommand } from './platform/datasets-command';
import { downloadCommand, jobsCommand, logsCommand, statusCommand, stopCommand, trainCommand } from './platform/job-commands';
import { uploadCommand } from './platform/upload-command';

const USAGE = `usage: cdk-sagemaker-datasets <command> [options]

platform commands (signed with your AWS credentials; run configure first):
  configure --endpoint <url> --region <region> [--profile <name>]
      save the platform API's URL (the stack output ApiUrl), region and AWS profile
  upload <zip> --dataset <id> --channel <name> [--kind images|files|tfrecord]
      upload a zip in parallel parts with progress; an interrupted upload resumes
  datasets
      list your datasets: status (converting, ready, failed), versions
  train <request.json> | --dataset <id> --channel <name> --image <uri> --instance-type <type> [--wait]
      launch training jobs (a sweep); --wait streams conversion and training status
  jobs [--sweep <token>]
      list your training jobs
  status <job>
      a job's status, status history and final metrics
  stop <job>
      stop a running job
  logs <job> [--follow]
      print (and follow) a job's log lines
  download <job> --to <dir> [--output]
      download a finished job's model (and output)

local commands:
  convert <input> --out <dir> [--kind images|files|tfrecord] [--channel training] [--shard-size 128MiB] [--seed N] [--json]
      convert an upload as the platform does: a zip of images into TFRecord shards and labels.txt,
      a zip of files kept at their zip paths, or TFRecord files verified and kept; manifest.json last
  inspect <file.tfrecord> [--json] [--limit N]
      print the records of a TFRecord file and verify every CRC

Every command takes --json (one JSON document on stdout) and --help.
exit status: 0 success; 1 refused or failed (invalid request, not found, a job or conversion failed);
2 usage error; 3 other failure (network, credentials, service error); 130 interrupted (uploads resume)
--version prints the version.
`;

const COMMANDS: Readonly<Record<string, (argv: string[], io: CommandIo) => Promise<number>>> = {
  convert: convertCommand,
  inspect: inspectCommand,
  configure: configureCommand,
  upload: uploadCommand,
  datasets: datasetsCommand,
  train: trainCommand,
  jobs: jobsCommand,
  status: statusCommand,
  stop: stopCommand,
  logs: logsCommand,
  download: downloadCommand,
};

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (run) {
    return run(rest, io);
  }
  switch (command) {
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
