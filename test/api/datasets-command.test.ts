import type { ListDatasetsResponse } from '../../contract/platform-api';
import { renderDatasets } from '../../lambda/src/cli/platform/datasets-command';

/** What `cdk-sagemaker-datasets datasets` prints for each status the API reports (conversion-status.json). */
describe('the CLI\'s datasets listing shows status, progress and the failure reason', () => {
  const answer: ListDatasetsResponse = {
    tenant: 'vision',
    datasets: [{
      datasetId: 'cats',
      channels: [
        { channel: 'evaluation', status: 'failed', reason: 'not an acceptable image dataset (invalid-dataset): every one of the 3 files was rejected', versions: [] },
        { channel: 'extra', status: 'converting', reason: 'queued: waiting for a free distributed conversion slot', versions: [] },
        { channel: 'training', status: 'converting', progress: 0.42, currentVersion: 'v20261201T100000Z-0123456789ab',
          versions: [{ version: 'v20261201T100000Z-0123456789ab', complete: true, current: true }], upload: { size: 3 * 1024 * 1024, uploadedAt: '2026-12-01T11:00:00.000Z' } },
      ],
    }],
  };

  test('one line per channel: status with progress, current version, versions, upload and reason', () => {
    const lines = renderDatasets(answer).split('\n');
    expect(lines[0]).toBe('tenant vision');
    expect(lines[1]).toBe('cats');
    expect(lines[2]).toMatch(/^ {2}evaluation\s+failed\s+current - \(0 versions\): not an acceptable image dataset \(invalid-dataset\)/);
    expect(lines[3]).toMatch(/^ {2}extra\s+converting\s+current - \(0 versions\): queued: waiting for a free distributed conversion slot$/);
    expect(lines[4]).toMatch(/^ {2}training\s+converting 42%\s+current v20261201T100000Z-0123456789ab \(1 version, upload 3\.0 MiB at 2026-12-01T11:00:00\.000Z\)$/);
  });

  test('a tenant without datasets is told how to upload one', () => {
    expect(renderDatasets({ tenant: 'vision', datasets: [] })).toContain('cdk-sagemaker-datasets upload <zip> --dataset <id> --channel training');
  });
});
