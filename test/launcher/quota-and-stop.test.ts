import { launchTrainingJobs, retrier, stopTrainingJob } from '../../lambda/src/launcher';
import { FakeSageMaker } from './support/fake-sagemaker';
import { MemoryObjects, OTHER_TENANT, TENANT, VERSION_A, testConfig, validRequest } from './support/fixtures';

const config = testConfig();
const objects = () => new MemoryObjects().addConverted('cats', 'training', VERSION_A).addConverted('cats', 'evaluation', VERSION_A);
const running = (sagemaker: FakeSageMaker, name: string, tenant = TENANT.name) =>
  sagemaker.seed({ TrainingJobName: name, Tags: [{ Key: 'cdk-sagemaker-datasets:tenant', Value: tenant }] } as never);

describe('per-tenant concurrent-job quota', () => {
  const launch = (sagemaker: FakeSageMaker, quota: number, request = validRequest()) =>
    launchTrainingJobs(request, { config, tenant: { ...TENANT, maxConcurrentJobs: quota }, datasets: objects(), trainingJobs: sagemaker.api() });

  test.each([
    ['fits: 1 running + 4 new ≤ 5', 1, 5, 'launched'],
    ['exceeds: 2 running + 4 new > 5', 2, 5, 'rejected'],
  ])('%s', async (_, runningJobs, quota, outcome) => {
    const sagemaker = new FakeSageMaker();
    for (let i = 0; i < runningJobs; i++) running(sagemaker, `dsp-vision-other-${i}-00000000`);
    running(sagemaker, 'dsp-speech-busy-0-00000000', 'speech');
    const response = await launch(sagemaker, quota);
    expect(response.outcome).toBe(outcome);
    if (response.outcome === 'rejected') {
      expect(response.errors).toEqual([{ path: 'request', message: expect.stringContaining(`quota of ${quota} concurrent training jobs (maxConcurrentJobs): 2 are running and this request starts 4 more. Launch at most 3 now`) }]);
      expect(sagemaker.count('create')).toBe(0);
    }
  });

  test('a retry counts its own running jobs once', async () => {
    const sagemaker = new FakeSageMaker();
    expect((await launch(sagemaker, 4)).outcome).toBe('launched');
    expect((await launch(sagemaker, 4)).outcome).toBe('launched');
    expect(sagemaker.jobs.size).toBe(4);
  });
});

describe('stop', () => {
  const stop = (sagemaker: FakeSageMaker, jobName: unknown, tenant = TENANT) =>
    stopTrainingJob({ jobName }, { config, tenant, trainingJobs: sagemaker.api(), retry: retrier({}, { info: () => undefined, warn: () => undefined }) });

  test.each([
    ['its own running job', 'dsp-vision-a-0-00000000', TENANT, 'stopping'],
    ['another tenant\'s job (reported as not found)', 'dsp-vision-a-0-00000000', OTHER_TENANT, 'not-found'],
    ['a job named like its own but tagged for another tenant', 'dsp-vision-b-0-00000000', TENANT, 'not-found'],
    ['a job that does not exist', 'dsp-vision-none-0-00000000', TENANT, 'not-found'],
    ['a malformed name', 'not a name', TENANT, 'rejected'],
  ])('%s (%s)', async (_, jobName, tenant, outcome) => {
    const sagemaker = new FakeSageMaker();
    running(sagemaker, 'dsp-vision-a-0-00000000');
    running(sagemaker, 'dsp-vision-b-0-00000000', 'speech');
    expect((await stop(sagemaker, jobName, tenant)).outcome).toBe(outcome);
    expect(sagemaker.count('stop')).toBe(outcome === 'stopping' ? 1 : 0);
  });

  test('a finished job is not running; a stopping one is already stopping', async () => {
    const sagemaker = new FakeSageMaker();
    running(sagemaker, 'dsp-vision-a-0-00000000');
    sagemaker.jobs.get('dsp-vision-a-0-00000000')!.status = 'Completed';
    expect(await stop(sagemaker, 'dsp-vision-a-0-00000000')).toMatchObject({ outcome: 'not-running', status: 'Completed' });
    sagemaker.jobs.get('dsp-vision-a-0-00000000')!.status = 'Stopping';
    expect(await stop(sagemaker, 'dsp-vision-a-0-00000000')).toMatchObject({ outcome: 'stopping' });
  });
});
