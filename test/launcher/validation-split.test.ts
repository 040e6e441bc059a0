import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import { LaunchDependencies, LaunchResponse, launchTrainingJobs } from '../../lambda/src/launcher';
import { FakeSageMaker } from './support/fake-sagemaker';
import { MemoryObjects, TENANT, VERSION_A, VERSION_B, manifestDocument, pointerDocument, testConfig, validRequest } from './support/fixtures';

/** A converted channel `images` whose version has a validation split (as the converter's manifest records it). */
function splitObjects(validationRecords = 10): MemoryObjects {
  const objects = new MemoryObjects().addConverted('cats', 'plain', VERSION_B);
  objects.objects[`datasets/${TENANT.name}/cats/images/current.json`] = JSON.stringify(pointerDocument('cats', 'images', VERSION_A));
  objects.objects[`datasets/${TENANT.name}/cats/images/${VERSION_A}/manifest.json`] = JSON.stringify({
    ...manifestDocument(90 + validationRecords),
    split: {
      method: 'class-stratified-sha256', fraction: 0.1, seed: 0,
      training: { directory: 'training', records: 90, shards: 1, classes: [], labelsFile: null },
      validation: { directory: 'validation', records: validationRecords, shards: validationRecords > 0 ? 1 : 0, classes: [], labelsFile: null },
    },
  });
  return objects;
}

async function launch(channels: Record<string, unknown>, options: { objects?: MemoryObjects; fileSystem?: boolean } = {}) {
  const sagemaker = new FakeSageMaker();
  const config = options.fileSystem === false ? testConfig({ fileSystem: undefined }) : testConfig();
  const deps: LaunchDependencies = {
    config, tenant: TENANT, datasets: options.objects ?? splitObjects(), trainingJobs: sagemaker.api(), retryEnvironment: { sleep: async () => undefined, random: () => 0.5 },
  };
  const response: LaunchResponse = await launchTrainingJobs(validRequest({ channels, sweep: undefined }), deps);
  const inputs = [...sagemaker.jobs.values()].map((job) => job.input as CreateTrainingJobCommandInput);
  return { response, inputs };
}

const channelOf = (input: CreateTrainingJobCommandInput, name: string) => input.InputDataConfig!.find((c) => c.ChannelName === name)!;

describe('launching on a version with a validation split', () => {
  test('FSx: the training channel reads <version>/training and the validation channel <version>/validation of the same version', async () => {
    const { response, inputs } = await launch({ training: { datasetChannel: 'images' }, validation: { datasetChannel: 'images', split: 'validation' } });
    expect(response.outcome).toBe('launched');
    expect(inputs).toHaveLength(1);
    const root = `/abcd1234/datasets/${TENANT.name}/cats/images/${VERSION_A}`;
    expect(channelOf(inputs[0], 'training').DataSource!.FileSystemDataSource).toMatchObject({ DirectoryPath: `${root}/training`, FileSystemAccessMode: 'ro' });
    expect(channelOf(inputs[0], 'validation').DataSource!.FileSystemDataSource).toMatchObject({ DirectoryPath: `${root}/validation`, FileSystemAccessMode: 'ro' });
    expect(response.outcome === 'rejected' ? [] : response.jobs[0].datasetVersions).toEqual({ training: VERSION_A, validation: VERSION_A });
  });

  test('S3: each channel\'s prefix is its part\'s folder; an explicit split: "training" is the same as none', async () => {
    const { inputs } = await launch({ train: { datasetChannel: 'images', split: 'training' }, validation: { datasetChannel: 'images', split: 'validation' } }, { fileSystem: false });
    const prefix = `s3://dataset-bucket/datasets/${TENANT.name}/cats/images/${VERSION_A}/`;
    expect(channelOf(inputs[0], 'train').DataSource!.S3DataSource).toMatchObject({ S3DataType: 'S3Prefix', S3Uri: `${prefix}training/` });
    expect(channelOf(inputs[0], 'validation').DataSource!.S3DataSource).toMatchObject({ S3DataType: 'S3Prefix', S3Uri: `${prefix}validation/` });
  });

  test('a version without a split is read whole, as before', async () => {
    const { inputs } = await launch({ training: { datasetChannel: 'plain' } });
    expect(channelOf(inputs[0], 'training').DataSource!.FileSystemDataSource!.DirectoryPath).toBe(`/abcd1234/datasets/${TENANT.name}/cats/plain/${VERSION_B}`);
  });

  test('asking for a part of a version without a split is refused on the channel\'s split field, nothing launched', async () => {
    const { response, inputs } = await launch({ training: { datasetChannel: 'plain' }, validation: { datasetChannel: 'plain', split: 'validation' } });
    expect(inputs).toEqual([]);
    expect(response).toMatchObject({
      outcome: 'rejected',
      errors: [{ path: 'channels.validation.split', message: expect.stringMatching(/version .* has no validation part: it was converted without a validation split .*leave out "split"/) }],
    });
  });

  test('an empty validation part (no class had two images) is refused with the reason', async () => {
    const { response, inputs } = await launch({ training: { datasetChannel: 'images' }, validation: { datasetChannel: 'images', split: 'validation' } }, { objects: splitObjects(0) });
    expect(inputs).toEqual([]);
    expect(response).toMatchObject({ outcome: 'rejected', errors: [{ path: 'channels.validation.split', message: expect.stringMatching(/has no validation images: no class had two or more images/) }] });
  });

  test('an unknown split is a field error', async () => {
    const { response } = await launch({ training: { datasetChannel: 'images', split: 'test' } });
    expect(response).toMatchObject({ outcome: 'rejected', errors: [{ path: 'channels.training.split', message: expect.stringMatching(/must be "training" or "validation"/) }] });
  });
});
