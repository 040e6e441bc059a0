import type { ChannelSummary, ListDatasetsResponse } from '../../../../contract/platform-api';
import { formatBytes } from '../byte-size';
import { ExitCode, type CommandIo } from '../convert-command';
import { runCommand } from './command-support';

export const DATASETS_USAGE = `usage: cdk-sagemaker-datasets datasets

Lists your tenant's datasets: each channel's status (uploading, converting, ready, failed with the
reason), its current version and its versions.`;

export function datasetsCommand(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(argv, io, { usage: DATASETS_USAGE, positionals: [0, 0], options: {} }, async (context) => {
    const answer = await (await context.client()).get<ListDatasetsResponse>('/datasets');
    await context.emit(answer, renderDatasets(answer));
    return ExitCode.OK;
  });
}

export function renderDatasets(answer: ListDatasetsResponse): string {
  if (answer.datasets.length === 0) {
    return `tenant ${answer.tenant} has no datasets yet: upload one with \`cdk-sagemaker-datasets upload <zip> --dataset <id> --channel training\`\n`;
  }
  const lines = [`tenant ${answer.tenant}`];
  for (const dataset of answer.datasets) {
    lines.push(dataset.datasetId);
    for (const channel of dataset.channels) lines.push(`  ${channelLine(channel)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function channelLine(channel: ChannelSummary): string {
  const progress = channel.progress !== undefined ? ` ${Math.round(channel.progress * 100)}%` : '';
  const reason = channel.reason ? `: ${channel.reason}` : '';
  const upload = channel.upload ? `, upload ${formatBytes(channel.upload.size)} at ${channel.upload.uploadedAt}` : '';
  return `${channel.channel.padEnd(16)} ${(channel.status + progress).padEnd(12)} current ${channel.currentVersion ?? '-'} ` +
    `(${channel.versions.length} version${channel.versions.length === 1 ? '' : 's'}${upload})${reason}`;
}
