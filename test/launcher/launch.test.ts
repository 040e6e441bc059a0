import {
  DEFAULT_RETRY_POLICY, LaunchDependencies, LaunchResponse, backoffDelay, isJobNotFound, isRetryableError, isThrottling, launchTrainingJobs, withRetry,
} from '../../lambda/src/launcher';
import { buildRequests } from './support/build';
import { FakeSageMaker, awsError } from './support/fake-sagemaker';
import { MemoryObjects, TENANT, VERSION_A, testConfig, validRequest } from './support/fixtures';

function setup(configOverrides: Parameters<typeof testConfig>[0] = {}) {
  const sagemaker = new FakeSageMaker();
  const objects = new MemoryObjects().addConverted('cats', 'training', VERSION_A).addConverted('cats', 'evaluation', VERSION_A);
  const sleeps: number[] = [];
  const deps: LaunchDependencies = {
    config: testConfig(configOverrides),
    tenant: TENANT,
    datasets: objects,
    trainingJobs: sagemaker.api(),
    retryEnvironment: { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5 },
  };
  return { sagemaker, objects, sleeps, deps, launch: (request: unknown = validRequest(), extra: Partial<LaunchDependencies> = {}) => launchTrainingJobs(request, { ...deps, ...extra }) };
}

function launched(response: LaunchResponse) {
  if (response.outcome === 'rejected') throw new Error(`rejected: ${JSON.stringify(response.errors)}`);
  return response;
}

describe('launching a sweep', () => {
  test('creates one job per hyperparameter set and lists each with name, ARN, status and where its artifacts go', async () => {
    const { sagemaker, launch } = setup();
    const response = launched(await launch());
    expect(response.outcome).toBe('launched');
    expect(response.summary).toEqual({ created: 4, alreadyLaunched: 0, failed: 0 });
    expect(sagemaker.jobs.size).toBe(4);
    const { jobs } = await buildRequests();
    expect(response.jobs).toEqual(jobs.map((job) => ({
      index: job.index,
      name: job.name,
      arn: sagemaker.arnOf(job.name),
      status: 'created',
      hyperparameters: job.spec.hyperParameters,
      datasetVersions: { training: VERSION_A, evaluation: VERSION_A },
      outputUri: `s3://artifacts-bucket/jobs/vision/${job.name}/`,
      modelArtifactUri: `s3://artifacts-bucket/jobs/vision/${job.name}/output/model.tar.gz`,
    })));
    // Each job: DescribeTrainingJob (absent), then CreateTrainingJob with the built request.
    const { requests } = await buildRequests();
    for (const request of requests) {
      expect(sagemaker.jobs.get(request.TrainingJobName!)!.input).toEqual(request);
    }
  });

  test('retrying the same request creates nothing: every job is already launched', async () => {
    const { sagemaker, launch } = setup();
    const first = launched(await launch());
    const creates = sagemaker.count('create');
    const retry = launched(await launch());
    expect(sagemaker.count('create')).toBe(creates);
    expect(retry.outcome).toBe('launched');
    expect(retry.summary).toEqual({ created: 0, alreadyLaunched: 4, failed: 0 });
    expect(retry.jobs.map((job) => [job.name, job.arn, job.status])).toEqual(first.jobs.map((job) => [job.name, job.arn, 'already-launched']));
  });

  test('a retry after the dataset was replaced still finds its jobs (the spec hash covers the request, not the resolved version)', async () => {
    const { objects, launch } = setup();
    launched(await launch());
    objects.addConverted('cats', 'training', 'v20261201T000000Z-00000000beef');
    const retry = launched(await launch());
    expect(retry.summary.alreadyLaunched).toBe(4);
  });

  test('a retry that extends the sweep creates only the new jobs', async () => {
    const { sagemaker, launch } = setup();
    launched(await launch(validRequest({ sweep: { list: [{ lr: 0.1 }, { lr: 0.01 }] } })));
    const retry = launched(await launch(validRequest({ sweep: { list: [{ lr: 0.1 }, { lr: 0.01 }, { lr: 0.001 }] } })));
    expect(retry.jobs.map((job) => job.status)).toEqual(['already-launched', 'already-launched', 'created']);
    expect(sagemaker.jobs.size).toBe(3);
  });
});

describe('all or nothing: an invalid request makes zero calls', () => {
  test('field errors: rejected with every error, no S3 read and no SageMaker call', async () => {
    const { sagemaker, objects, launch } = setup();
    const response = await launch(validRequest({ instanceType: 'ml.p5.48xlarge', sweep: { grid: { learning_rate: [0.1, 0.01, null] } } }));
    expect(response).toEqual({
      outcome: 'rejected',
      clientToken: validRequest().clientToken,
      errors: [
        { path: 'instanceType', message: expect.stringContaining('is not allowed on this platform') },
        { path: 'sweep.grid.learning_rate[2]', message: 'must be a string, a number or a boolean' },
      ],
      jobs: [],
    });
    expect(sagemaker.calls).toEqual([]);
    expect(objects.reads).toEqual([]);
  });

  test('one invalid job of a sweep rejects the whole sweep', async () => {
    const { sagemaker, launch } = setup();
    const hyperparameters = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`h${i}`, i]));
    const response = await launch(validRequest({ hyperparameters, sweep: { list: [{ h1: 1 }, { h2: 2 }, { extra: 1, more: 2 }] } }));
    expect(response.outcome).toBe('rejected');
    expect(response.outcome === 'rejected' && response.errors).toEqual([{ path: 'sweep.list[2]', message: expect.stringContaining('101 hyperparameters') }]);
    expect(sagemaker.calls).toEqual([]);
  });

  test('a dataset never converted: rejected on the channel, no SageMaker call', async () => {
    const { sagemaker, launch } = setup();
    const response = await launch(validRequest({ channels: { training: {}, holdout: {} } }));
    expect(response).toMatchObject({ outcome: 'rejected', errors: [{ path: 'channels.holdout', message: expect.stringContaining('has no converted version') }] });
    expect(sagemaker.calls).toEqual([]);
  });

  test('the request is not an object', async () => {
    const { sagemaker, launch } = setup();
    expect(await launch('{"clientToken":')).toEqual({ outcome: 'rejected', errors: [{ path: 'request', message: 'must be a JSON object' }], jobs: [] });
    expect(sagemaker.calls).toEqual([]);
  });
});

describe('idempotency with SageMaker\'s real ResourceInUse', () => {
  test('a concurrent creator with the same spec: ResourceInUse, then the tags match, so the job is already launched', async () => {
    const { sagemaker, launch } = setup();
    const { requests } = await buildRequests();
    // The job appears between our DescribeTrainingJob and CreateTrainingJob (an overlapping retry).
    sagemaker.beforeCreate = (input) => {
      if (input.TrainingJobName === requests[1].TrainingJobName && !sagemaker.jobs.has(input.TrainingJobName!)) sagemaker.seed(requests[1]);
    };
    const response = launched(await launch());
    expect(response.jobs.map((job) => job.status)).toEqual(['created', 'already-launched', 'created', 'created']);
    expect(response.jobs[1].arn).toBe(sagemaker.arnOf(requests[1].TrainingJobName!));
    expect(sagemaker.calls.filter((call) => call.endsWith(requests[1].TrainingJobName!))).toEqual([
      `describe ${requests[1].TrainingJobName}`, `create ${requests[1].TrainingJobName}`, `describe ${requests[1].TrainingJobName}`,
      `listTags ${sagemaker.arnOf(requests[1].TrainingJobName!)}`,
    ]);
  });

  test('a different job under the same name (different spec hash) is a per-job error; the others are created', async () => {
    const { sagemaker, launch } = setup();
    const { requests } = await buildRequests();
    sagemaker.seed({ ...requests[0], Tags: [{ Key: 'cdk-sagemaker-datasets:spec-hash', Value: 'f'.repeat(64) }] });
    const response = launched(await launch());
    expect(response.outcome).toBe('partial');
    expect(response.jobs[0]).toMatchObject({
      status: 'failed',
      arn: sagemaker.arnOf(requests[0].TrainingJobName!),
      reason: expect.stringContaining(`A different training job named ${requests[0].TrainingJobName} already exists`),
    });
    expect(response.jobs.slice(1).map((job) => job.status)).toEqual(['created', 'created', 'created']);
  });

  test('ResourceInUse racing with a different spec is a per-job error too', async () => {
    const { sagemaker, launch } = setup();
    const { requests } = await buildRequests();
    sagemaker.beforeCreate = (input) => {
      if (input.TrainingJobName === requests[3].TrainingJobName && !sagemaker.jobs.has(input.TrainingJobName!)) {
        sagemaker.seed({ ...requests[3], Tags: [] });
      }
    };
    const response = launched(await launch());
    expect(response.jobs[3]).toMatchObject({ status: 'failed', reason: expect.stringContaining('tag is missing') });
  });
});

describe('throttling and per-job failures', () => {
  test('throttled calls are retried with exponential backoff and jitter, then succeed', async () => {
    const { sagemaker, sleeps, launch } = setup({ concurrency: 1 });
    const { requests } = await buildRequests();
    sagemaker.fail('create', requests[0].TrainingJobName!, awsError('ThrottlingException', 'Rate exceeded'), 3);
    sagemaker.fail('describe', requests[1].TrainingJobName!, awsError('ThrottlingException', 'Rate exceeded'), 1);
    const response = launched(await launch());
    expect(response.summary).toEqual({ created: 4, alreadyLaunched: 0, failed: 0 });
    expect(sagemaker.count('create')).toBe(4 + 3);
    // random() = 0.5: half of 250, 500, 1000 ms for the create retries, then half of 250 ms for the describe retry.
    expect(sleeps).toEqual([125, 250, 500, 125]);
  });

  test('throttling that does not stop fails that job only, after a bounded number of attempts', async () => {
    const { sagemaker, sleeps, launch } = setup();
    const { requests } = await buildRequests();
    sagemaker.fail('create', requests[2].TrainingJobName!, awsError('ThrottlingException', 'Rate exceeded'), 100);
    const response = launched(await launch());
    expect(response.outcome).toBe('partial');
    expect(response.jobs[2]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^ThrottlingException: Rate exceeded \(still failing after retries; retry the request with the same clientToken\)/) });
    expect(sagemaker.calls.filter((call) => call === `create ${requests[2].TrainingJobName}`)).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
    expect(sleeps).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts - 1);
    expect(response.jobs.filter((job) => job.status === 'created')).toHaveLength(3);
  });

  test('ResourceLimitExceeded is reported on its job, not retried, and the other jobs go on', async () => {
    const { sagemaker, launch } = setup();
    const { requests } = await buildRequests();
    sagemaker.fail('create', requests[1].TrainingJobName!, awsError('ResourceLimitExceeded', 'The account-level service limit \'ml.g5.xlarge for training job usage\' is 2 Instances.'));
    const response = launched(await launch());
    expect(response.jobs[1]).toEqual(expect.objectContaining({
      status: 'failed',
      reason: expect.stringContaining('ResourceLimitExceeded: The account-level service limit'),
    }));
    expect(response.jobs[1].reason).toContain('Service Quotas');
    expect(response.jobs[1].arn).toBeUndefined();
    expect(sagemaker.calls.filter((call) => call === `create ${requests[1].TrainingJobName}`)).toHaveLength(1);
    expect(response.summary).toEqual({ created: 3, alreadyLaunched: 0, failed: 1 });
  });

  test('other SageMaker errors (ValidationException, AccessDenied) fail their job with the service\'s message', async () => {
    const { sagemaker, launch } = setup();
    const { requests } = await buildRequests();
    sagemaker.fail('create', requests[0].TrainingJobName!, awsError('ValidationException', 'FSx for Lustre is currently not supported in the region for SageMaker'));
    sagemaker.fail('describe', requests[3].TrainingJobName!, awsError('AccessDeniedException', 'not authorized to perform: sagemaker:DescribeTrainingJob'));
    const response = launched(await launch());
    expect(response.jobs[0].reason).toBe('ValidationException: FSx for Lustre is currently not supported in the region for SageMaker');
    expect(response.jobs[3].reason).toBe('AccessDeniedException: not authorized to perform: sagemaker:DescribeTrainingJob');
    expect(response.summary.failed).toBe(2);
  });

  test('every job failing is outcome "failed"', async () => {
    const { sagemaker, launch } = setup();
    sagemaker.fail('create', '*', awsError('ResourceLimitExceeded', 'quota'), 100);
    expect(launched(await launch()).outcome).toBe('failed');
  });

  test('jobs not reached before the time reserve are failed with a retry hint, never dropped', async () => {
    const { sagemaker, launch } = setup({ concurrency: 1 });
    let remaining = 50_000;
    const response = launched(await launch(validRequest(), {
      remainingTimeMs: () => remaining,
      timeReserveMs: 15_000,
      trainingJobs: {
        describe: (name) => sagemaker.api().describe(name),
        listTags: (arn) => sagemaker.api().listTags(arn),
        listByName: (stem, limit) => sagemaker.api().listByName(stem, limit),
        create: async (input) => { remaining -= 20_000; return sagemaker.api().create(input); },
        listActive: (prefix) => sagemaker.api().listActive(prefix),
        stop: (name) => sagemaker.api().stop(name),
      },
    }));
    expect(response.jobs.map((job) => job.status)).toEqual(['created', 'created', 'failed', 'failed']);
    expect(response.jobs[3].reason).toContain('Retry the request with the same clientToken');
    expect(response.jobs).toHaveLength(4);
  });

  test('at most `concurrency` calls are in flight', async () => {
    const { sagemaker, launch } = setup({ concurrency: 2 });
    launched(await launch(validRequest({ sweep: { list: Array.from({ length: 12 }, (_, i) => ({ seed: i })) } })));
    expect(sagemaker.jobs.size).toBe(12);
    expect(sagemaker.maxInFlight).toBe(2);
  });
});

describe('retry and error classification', () => {
  test('backoff: full jitter below min(max, base · 2^(n-1))', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });

  test('withRetry stops at the first non-retryable error', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw awsError('ValidationException'); }, isRetryableError, DEFAULT_RETRY_POLICY, { sleep: async () => undefined, random: () => 0 }))
      .rejects.toThrow('ValidationException');
    expect(calls).toBe(1);
  });

  test.each([
    ['ThrottlingException', 400, true, true],
    ['TooManyRequestsException', 400, true, true],
    ['SomethingElse', 429, true, true],
    ['InternalFailure', 500, false, true],
    ['ServiceUnavailable', 503, false, true],
    ['ResourceLimitExceeded', 400, false, false],
    ['ResourceInUse', 400, false, false],
    ['ValidationException', 400, false, false],
  ])('%s (HTTP %d): throttling %s, retryable %s', (name, status, throttling, retryable) => {
    const error = awsError(name, 'x', status);
    expect(isThrottling(error)).toBe(throttling);
    expect(isRetryableError(error)).toBe(retryable);
  });

  test('a missing job: SageMaker\'s and moto\'s wording', () => {
    expect(isJobNotFound(awsError('ValidationException', 'Requested resource not found.'))).toBe(true);
    expect(isJobNotFound(awsError('ValidationException', "Could not find training job 'arn:aws:sagemaker:us-east-1:123456789012:training-job/x'."))).toBe(true);
    expect(isJobNotFound(awsError('ValidationException', '1 validation error detected'))).toBe(false);
  });
});
