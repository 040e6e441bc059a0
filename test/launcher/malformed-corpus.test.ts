import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import { LaunchResponse, launchTrainingJobs } from '../../lambda/src/launcher';
import { checkAgainstModel, describeWithSageMakerModel } from './support/botocore-model';
import { FakeSageMaker } from './support/fake-sagemaker';
import { IMAGE, MemoryObjects, TENANT, VERSION_A, testConfig, validRequest } from './support/fixtures';
import { MalformedCase, handWrittenCases, modelCases, prototypeKeyCases, reservedNameCases } from './support/malformed-requests';

/** A rejection stays far below Lambda's 6 MB response limit whatever the request holds. */
const RESPONSE_BUDGET_BYTES = 256 * 1024;

function setup(config = testConfig()) {
  const sagemaker = new FakeSageMaker();
  const objects = new MemoryObjects().addConverted('cats', 'training', VERSION_A).addConverted('cats', 'evaluation', VERSION_A);
  const launch = (request: unknown) => launchTrainingJobs(request, { config, tenant: TENANT, datasets: objects, trainingJobs: sagemaker.api() });
  return { sagemaker, launch };
}

/** Whether an error path is `path` or lies below it. */
const names = (errorPath: string, path: string) =>
  errorPath === path || errorPath.startsWith(`${path}.`) || errorPath.startsWith(`${path}[`) || (path === 'request' && errorPath.length > 0);

describeWithSageMakerModel('a corpus of malformed launch requests: none reaches CreateTrainingJob', (model) => {
  const cases: MalformedCase[] = [...modelCases(model()), ...prototypeKeyCases(), ...reservedNameCases(), ...handWrittenCases()];

  test('the corpus holds more than 100 requests', () => {
    expect(cases.length).toBeGreaterThan(100);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  test.each(cases.filter((c) => c.violates).map((c) => [c.name, c] as const))('model-derived case is malformed per the model itself: %s', (_name, c) => {
    expect(checkAgainstModel(model(), c.violates!.shape, c.violates!.value)).not.toEqual([]);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { sagemaker, launch } = setup();
    const response = await launch(c.request);
    expect(response.outcome).toBe('rejected');
    const errors = response.outcome === 'rejected' ? response.errors : [];
    expect(errors.map((error) => error.path)).toEqual(expect.arrayContaining([expect.any(String)]));
    if (!errors.some((error) => names(error.path, c.path))) {
      throw new Error(`no error names ${c.path}: ${JSON.stringify(errors).slice(0, 2000)}`);
    }
    expect(sagemaker.count('create')).toBe(0);
    expect(sagemaker.calls).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(RESPONSE_BUDGET_BYTES);
  });
});

describeWithSageMakerModel('valid requests still launch exactly their jobs', (model) => {
  const inputShape = () => model().operations.CreateTrainingJob.input!.shape;
  const valid: Array<[string, Record<string, unknown>, number, Parameters<typeof testConfig>[0]]> = [
    ['the reference request (2×2 grid)', {}, 4, {}],
    ['no sweep', { sweep: undefined }, 1, {}],
    ['unicode hyperparameters and tags (U+2028 is a \\p{Z} tag character)', {
      hyperparameters: { 'café': 'naïve — ✓ 😀', tab: 'a\tb' }, tags: { team: 'vision\u2028a', 'größe': 'ä' }, sweep: undefined,
    }, 1, {}],
    ['environment values may hold newlines (the model allows [\\S\\s]*)', { environment: { NOTES: 'line 1\nline 2' }, sweep: undefined }, 1, {}],
    ['reserved names the launcher allows', {
      hyperparameters: { sagemaker_program: 'train.py' }, environment: { PYTHONPATH: '/opt/ml/code' }, sweep: { list: [{ lr: 1 }, { lr: 2 }] },
    }, 2, { allowedReservedNames: ['sagemaker_program', 'PYTHONPATH'] }],
    ['keys that merely contain proto', { hyperparameters: { proto: 1, __proto: 2, constructors: 3 }, sweep: undefined }, 1, {}],
    ['image by digest, S3 channels, checkpoints', {
      trainingImage: `${IMAGE.split(':')[0]}@sha256:${'a'.repeat(64)}`, channels: { training: { source: 's3', inputMode: 'FastFile', contentType: 'application/x-tfrecord' } },
      checkpoints: true, sweep: undefined,
    }, 1, {}],
    ['the largest sweep (50 jobs)', { sweep: { grid: { a: Array.from({ length: 10 }, (_, i) => i), b: [1, 2, 3, 4, 5] } } }, 50, {}],
  ];

  test.each(valid)('%s', async (_name, overrides, jobCount, config) => {
    const { sagemaker, launch } = setup(testConfig(config));
    const response: LaunchResponse = await launch(validRequest(overrides));
    if (response.outcome === 'rejected') {
      throw new Error(`rejected: ${JSON.stringify(response.errors)}`);
    }
    expect(response.outcome).toBe('launched');
    expect(response.jobs).toHaveLength(jobCount);
    expect(sagemaker.count('create')).toBe(jobCount);
    expect([...sagemaker.jobs.keys()].sort()).toEqual(response.jobs.map((job) => job.name).sort());
    for (const job of sagemaker.jobs.values()) {
      expect(checkAgainstModel(model(), inputShape(), job.input as CreateTrainingJobCommandInput)).toEqual([]);
    }
  });

  test('a reused clientToken with a different spec is a conflict naming clientToken and creates nothing; the same request again is a retry', async () => {
    const { sagemaker, launch } = setup();
    expect((await launch(validRequest())).outcome).toBe('launched');
    const changed = await launch(validRequest({ hyperparameters: { epochs: 11 } }));
    expect(changed).toMatchObject({ outcome: 'rejected', errors: [{ path: 'clientToken', message: expect.stringContaining('was already used for a different request') }] });
    const fewer = await launch(validRequest({ sweep: { grid: { learning_rate: [0.1], batch_size: [32, 64] } } }));
    expect(fewer).toMatchObject({ outcome: 'rejected', errors: [{ path: 'clientToken' }] });
    expect(sagemaker.count('create')).toBe(4);
    const again = await launch(validRequest());
    expect(again.outcome !== 'rejected' && again.jobs.map((job) => job.status)).toEqual(Array(4).fill('already-launched'));
    expect(sagemaker.count('create')).toBe(4);
  });

  test('another token sharing the shortened name stem is not a conflict', async () => {
    const { sagemaker, launch } = setup(testConfig({ jobNamePrefix: 'p'.repeat(24) }));
    const token = 'a'.repeat(40);
    expect((await launch(validRequest({ clientToken: `${token}-one`, sweep: undefined }))).outcome).toBe('launched');
    const other = await launch(validRequest({ clientToken: `${token}-two`, sweep: undefined, hyperparameters: { epochs: 3 } }));
    expect(other.outcome).toBe('launched');
    expect(sagemaker.count('create')).toBe(2);
  });
});
