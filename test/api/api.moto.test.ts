import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { API_ROUTES } from '../../contract/platform-api';
import type { LaunchPort } from '../../lambda/src/api/ports';
import { TrainingJobLaunchOutcome, type LaunchResponse } from '../../contract/launch-request';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { useMotoServer } from '../support/moto-server';
import { ACCOUNT, API_CONFIG, ApiHarness, OUTSIDER, TENANTS } from './support/api-harness';

const MiB = 1024 * 1024;

/** Records what the API asked the launcher; answers like the launcher would. */
class RecordingLauncher implements LaunchPort {
  readonly calls: { tenant: string; request: unknown }[] = [];
  async launch(tenant: string, request: unknown): Promise<LaunchResponse> {
    this.calls.push({ tenant, request });
    return { outcome: TrainingJobLaunchOutcome.LAUNCHED, clientToken: 't', datasetId: 'cats', jobs: [], summary: { created: 0, alreadyLaunched: 0, failed: 0 } };
  }
}

describeWithTool(MOTO_SERVER, 'platform API handlers against moto_server (S3 multipart and presigning, SageMaker, CloudWatch Logs)', () => {
  const moto = useMotoServer();
  let api: ApiHarness;
  const launcher = new RecordingLauncher();

  beforeAll(async () => {
    await moto.reset();
    api = new ApiHarness(moto.s3Config(), moto.config(), launcher);
    await api.createBuckets();
    await api.seedJob('alpha', 'dsp-alpha-s1-0-aaaa', { sweep: 's1', model: Buffer.from('alpha model'), logLines: ['epoch 1 loss=0.9', 'epoch 2 loss=0.5', 'epoch 3 loss=0.2'] });
    await api.seedJob('alpha', 'dsp-alpha-s1-1-bbbb', { sweep: 's1' });
    await api.seedJob('alpha', 'dsp-alpha-s2-0-cccc', { sweep: 's2' });
    await api.seedJob('beta', 'dsp-beta-s1-0-dddd', { sweep: 's1', model: Buffer.from('beta model'), logLines: ['beta secret'] });
  });

  describe('authorization: the caller comes from the request context, never the body', () => {
    test.each(Object.entries(API_ROUTES))('%s refuses a request without a caller identity (403)', async (_, route) => {
      const path = route.path.replace('{uploadId}', 'x').replace('{jobName}', 'dsp-alpha-s1-0-aaaa');
      const answer = await api.call(undefined, route.method, path, { body: {} });
      expect(answer.status).toBe(403);
    });

    test('a principal that belongs to no tenant is refused, with who it is', async () => {
      const answer = await api.call(OUTSIDER, 'GET', '/datasets');
      expect(answer).toEqual({ status: 403, body: { error: { code: 'Forbidden', message: expect.stringContaining(`${OUTSIDER} belongs to no tenant`) } } });
    });

    test('launch runs for the caller\'s tenant whatever the body says', async () => {
      await api.as('beta')('POST', '/jobs', { body: { clientToken: 'x', tenant: 'alpha', datasetId: 'cats' } });
      expect(launcher.calls.at(-1)?.tenant).toBe('beta');
    });

    test('an unknown route is a 404', async () => {
      expect((await api.as('alpha')('GET', '/nothing')).status).toBe(404);
    });
  });

  describe('uploads: presigned multipart parts, size cap, complete, abort', () => {
    test('create → presign → PUT parts to S3 → describe → complete puts the zip at uploads/<tenant>/<dataset>/<channel>.zip', async () => {
      const alpha = api.as('alpha');
      const data = Buffer.alloc(12 * MiB, 7);
      data.writeUInt32LE(0x04034b50, 0);
      const created = await alpha<{ uploadId: string; partSize: number; partCount: number; maxUploadBytes: number }>('POST', '/uploads',
        { body: { datasetId: 'cats', channel: 'training', size: data.length, partSize: 5 * MiB } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ partSize: 5 * MiB, partCount: 3, maxUploadBytes: API_CONFIG.maxUploadBytes });
      const id = created.body.uploadId;

      const urls = await alpha<{ parts: { partNumber: number; url: string }[] }>('POST', `/uploads/${id}/parts`, { body: { partNumbers: [1, 2, 3] } });
      expect(urls.body.parts.map((part) => part.partNumber)).toEqual([1, 2, 3]);
      const etags: { partNumber: number; etag: string }[] = [];
      for (const part of urls.body.parts.slice(0, 2)) {
        const response = await fetch(part.url, { method: 'PUT', body: data.subarray((part.partNumber - 1) * 5 * MiB, part.partNumber * 5 * MiB) });
        expect(response.status).toBe(200);
        etags.push({ partNumber: part.partNumber, etag: response.headers.get('etag')! });
      }
      const described = await alpha<{ parts: { partNumber: number; size: number }[] }>('GET', `/uploads/${id}`);
      expect(described.body.parts.map((part) => [part.partNumber, part.size])).toEqual([[1, 5 * MiB], [2, 5 * MiB]]);

      const early = await alpha('POST', `/uploads/${id}/complete`, { body: { size: data.length, parts: etags } });
      expect(early).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining('parts 3 are missing') } } });

      const last = await fetch(urls.body.parts[2].url, { method: 'PUT', body: data.subarray(10 * MiB) });
      etags.push({ partNumber: 3, etag: last.headers.get('etag')! });
      const completed = await alpha('POST', `/uploads/${id}/complete`, { body: { size: data.length, parts: etags } });
      expect(completed).toMatchObject({ status: 200, body: { datasetId: 'cats', channel: 'training', size: data.length } });
      const head = await api.s3.send(new HeadObjectCommand({ Bucket: API_CONFIG.uploadBucket, Key: 'uploads/alpha/cats/training.zip' }));
      expect(head.ContentLength).toBe(data.length);
      expect(head.Metadata).toMatchObject({ tenant: 'alpha', kind: 'images' });
      expect((await alpha('GET', `/uploads/${id}`)).status).toBe(404);
    });

    test('the size is checked before anything is created, against the platform cap', async () => {
      const answer = await api.as('alpha')('POST', '/uploads', { body: { datasetId: 'cats', channel: 'training', size: API_CONFIG.maxUploadBytes + 1 } });
      expect(answer).toMatchObject({ status: 413, body: { error: { message: expect.stringContaining(`up to ${API_CONFIG.maxUploadBytes} bytes`) } } });
    });

    test.each([
      [{ datasetId: '../x', channel: 'training', size: 10 }, 'datasetId'],
      [{ datasetId: 'cats', channel: 'training', size: 0 }, 'size must be a whole number'],
      [{ datasetId: 'cats', channel: 'training', size: 10, kind: 'video' }, 'kind must be one of images, files'],
      [{ datasetId: 'cats', channel: 'training', size: 10, partSize: 1024 }, 'partSize'],
      [{ datasetId: 'cats', channel: 'training', size: 10, tenant: 'beta' }, 'Unknown field tenant'],
    ])('a bad create request %j is a 400 naming %s', async (body, message) => {
      const answer = await api.as('alpha')('POST', '/uploads', { body });
      expect(answer).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining(message) } } });
    });

    test('abort removes the multipart upload', async () => {
      const alpha = api.as('alpha');
      const created = await alpha<{ uploadId: string }>('POST', '/uploads', { body: { datasetId: 'dogs', channel: 'training', size: 100 } });
      expect((await alpha('DELETE', `/uploads/${created.body.uploadId}`)).status).toBe(200);
      expect((await alpha('GET', `/uploads/${created.body.uploadId}`)).status).toBe(404);
    });

    test('an upload id that the API did not issue is a 404', async () => {
      expect((await api.as('alpha')('GET', '/uploads/not-a-handle')).status).toBe(404);
    });
  });

  describe('datasets: versions and status from S3', () => {
    beforeAll(async () => {
      const put = (bucket: string, key: string, body: string) => api.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      const version = 'v20261201T100000Z-0123456789ab';
      const prefix = `datasets/alpha/cats/evaluation/${version}/`;
      await put(API_CONFIG.uploadBucket, 'uploads/alpha/cats/evaluation.zip', 'PK old');
      const upload = await api.s3.send(new HeadObjectCommand({ Bucket: API_CONFIG.uploadBucket, Key: 'uploads/alpha/cats/evaluation.zip' }));
      await put(API_CONFIG.datasetBucket, `${prefix}manifest.json`, '{}');
      await put(API_CONFIG.datasetBucket, `${prefix}shard-00000.tfrecord`, 'x');
      await put(API_CONFIG.datasetBucket, 'datasets/alpha/cats/evaluation/v20261201T110000Z-ba9876543210/shard-00000.tfrecord', 'partial');
      await put(API_CONFIG.datasetBucket, 'datasets/alpha/cats/evaluation/current.json', JSON.stringify({
        schemaVersion: 1, version, source: { bucket: API_CONFIG.uploadBucket, key: 'uploads/alpha/cats/evaluation.zip', etag: upload.ETag!.replace(/"/g, ''), eventTime: new Date().toISOString() },
      }));
      await put(API_CONFIG.datasetBucket, 'datasets/beta/secret/training/current.json', JSON.stringify({ schemaVersion: 1, version: 'v20261201T100000Z-ffffffffffff', source: {} }));
    });

    test('a tenant sees its channels: ready (pointer from the newest upload), converting (upload without a version yet)', async () => {
      const answer = await api.as('alpha')<{ tenant: string; datasets: unknown[] }>('GET', '/datasets');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        tenant: 'alpha',
        datasets: [{
          datasetId: 'cats',
          channels: [
            expect.objectContaining({
              channel: 'evaluation', status: 'ready', currentVersion: 'v20261201T100000Z-0123456789ab',
              versions: [
                { version: 'v20261201T110000Z-ba9876543210', complete: false, current: false },
                { version: 'v20261201T100000Z-0123456789ab', complete: true, current: true },
              ],
            }),
            expect.objectContaining({ channel: 'training', status: 'converting', versions: [], upload: expect.objectContaining({ size: 12 * MiB }) }),
          ],
        }],
      });
    });

    test('tenant beta cannot list tenant alpha\'s datasets', async () => {
      const answer = await api.as('beta')<{ datasets: { datasetId: string }[] }>('GET', '/datasets');
      expect(answer.body.datasets.map((dataset) => dataset.datasetId)).toEqual(['secret']);
    });
  });

  describe('jobs: list by sweep, describe, stop, logs, artifacts', () => {
    test('lists the tenant\'s jobs, and one sweep\'s', async () => {
      const all = await api.as('alpha')<{ jobs: { name: string }[] }>('GET', '/jobs');
      expect(all.body.jobs.map((job) => job.name).sort()).toEqual(['dsp-alpha-s1-0-aaaa', 'dsp-alpha-s1-1-bbbb', 'dsp-alpha-s2-0-cccc']);
      const sweep = await api.as('alpha')<{ jobs: { name: string; sweep: string }[] }>('GET', '/jobs', { query: { sweep: 's1' } });
      expect(sweep.body.jobs.map((job) => job.name).sort()).toEqual(['dsp-alpha-s1-0-aaaa', 'dsp-alpha-s1-1-bbbb']);
      const beta = await api.as('beta')<{ jobs: { name: string }[] }>('GET', '/jobs', { query: { sweep: 's1' } });
      expect(beta.body.jobs.map((job) => job.name)).toEqual(['dsp-beta-s1-0-dddd']);
    });

    test('describes a job: status, secondary status history, final metrics, model', async () => {
      const answer = await api.as('alpha')('GET', '/jobs/dsp-alpha-s1-0-aaaa');
      expect(answer).toMatchObject({
        status: 200,
        body: {
          name: 'dsp-alpha-s1-0-aaaa', status: 'Completed', secondaryStatus: 'Completed', sweep: 's1', datasetId: 'cats',
          hyperparameters: { epochs: '3' }, instanceType: 'ml.m5.xlarge',
          statusHistory: [expect.objectContaining({ status: 'Starting' })],
          metrics: [expect.objectContaining({ name: 'train:progress', value: 100 })],
          modelArtifactUri: `s3://${API_CONFIG.artifactsBucket}/jobs/alpha/dsp-alpha-s1-0-aaaa/output/model.tar.gz`,
        },
      });
    });

    test('stopping a job that has ended leaves it and says so', async () => {
      expect(await api.as('alpha')('POST', '/jobs/dsp-alpha-s1-0-aaaa/stop', { body: {} })).toEqual({ status: 200, body: { name: 'dsp-alpha-s1-0-aaaa', status: 'Completed' } });
    });

    test('reads log lines from a position, to follow', async () => {
      const first = await api.as('alpha')<{ lines: { message: string }[]; cursor: string }>('GET', '/jobs/dsp-alpha-s1-0-aaaa/logs', { query: { limit: '2' } });
      expect(first.body.lines.map((line) => line.message)).toEqual(['epoch 1 loss=0.9', 'epoch 2 loss=0.5']);
      const next = await api.as('alpha')<{ lines: { message: string }[]; cursor: string }>('GET', '/jobs/dsp-alpha-s1-0-aaaa/logs', { query: { cursor: first.body.cursor } });
      expect(next.body.lines.map((line) => line.message)).toEqual(['epoch 3 loss=0.2']);
      const idle = await api.as('alpha')<{ lines: unknown[] }>('GET', '/jobs/dsp-alpha-s1-0-aaaa/logs', { query: { cursor: next.body.cursor } });
      expect(idle.body.lines).toEqual([]);
    });

    test('links the model with a presigned URL that downloads it', async () => {
      const answer = await api.as('alpha')<{ model: { url: string; size: number }; output: { url?: string } }>('GET', '/jobs/dsp-alpha-s1-0-aaaa/artifacts');
      expect(answer.status).toBe(200);
      expect(answer.body.model.size).toBe(11);
      expect(answer.body.output.url).toBeUndefined();
      expect(await (await fetch(answer.body.model.url)).text()).toBe('alpha model');
    });
  });

  describe('tenant isolation: tenant beta reaches nothing of tenant alpha\'s', () => {
    const alphaJob = 'dsp-alpha-s1-0-aaaa';
    test.each([
      ['describe', 'GET', `/jobs/${alphaJob}`],
      ['stop', 'POST', `/jobs/${alphaJob}/stop`],
      ['read logs of', 'GET', `/jobs/${alphaJob}/logs`],
      ['download from', 'GET', `/jobs/${alphaJob}/artifacts`],
    ])('beta cannot %s alpha\'s job (404, as if it did not exist)', async (_, method, path) => {
      const answer = await api.as('beta')(method, path, { body: {} });
      expect(answer).toMatchObject({ status: 404, body: { error: { code: 'NotFound', message: `Tenant beta has no training job ${alphaJob}. List your jobs with GET /jobs.` } } });
    });

    test('beta cannot list alpha\'s jobs, even by naming alpha\'s sweep', async () => {
      const answer = await api.as('beta')<{ jobs: { name: string }[] }>('GET', '/jobs', { query: { sweep: 's2' } });
      expect(answer.body.jobs).toEqual([]);
    });

    test('beta cannot use, complete or abort alpha\'s upload: the key is rebuilt from the caller\'s tenant', async () => {
      const created = await api.as('alpha')<{ uploadId: string }>('POST', '/uploads', { body: { datasetId: 'cats', channel: 'secret', size: 100 } });
      const id = created.body.uploadId;
      for (const [method, path, body] of [['GET', `/uploads/${id}`], ['POST', `/uploads/${id}/parts`, { partNumbers: [1] }],
        ['POST', `/uploads/${id}/complete`, { size: 100, parts: [] }], ['DELETE', `/uploads/${id}`]] as const) {
        expect((await api.as('beta')(method, path, { body })).status).toBe(404);
      }
      expect((await api.as('alpha')('GET', `/uploads/${id}`)).status).toBe(200);
    });

    test('beta\'s model link is beta\'s own, never alpha\'s', async () => {
      const answer = await api.as('beta')<{ model: { url: string } }>('GET', '/jobs/dsp-beta-s1-0-dddd/artifacts');
      expect(await (await fetch(answer.body.model.url)).text()).toBe('beta model');
      const object = await api.s3.send(new GetObjectCommand({ Bucket: API_CONFIG.artifactsBucket, Key: 'jobs/alpha/dsp-alpha-s1-0-aaaa/output/model.tar.gz' }));
      expect(await object.Body!.transformToString()).toBe('alpha model');
    });

    test('a job name outside the platform prefix is refused before any lookup', async () => {
      expect((await api.as('alpha')('GET', '/jobs/other-job')).status).toBe(400);
    });
  });

  test('members are matched by role: the directory maps each session to its tenant', () => {
    expect(api.deps.tenants.resolveTenant({ kind: 'iam', principalArn: TENANTS.alpha.session })?.name).toBe('alpha');
    expect(api.deps.tenants.resolveTenant({ kind: 'jwt', claims: { tenant: 'beta' } })?.name).toBe('beta');
  });

  describe('the API acts as the caller\'s tenant: every AWS call is signed with that tenant\'s access role (moto STS AssumeRole)', () => {
    const signer = (url: string) => decodeURIComponent(new URL(url).searchParams.get('X-Amz-Credential') ?? '').split('/')[0];

    test('alpha\'s presigned upload parts are signed by a session of alpha\'s access role', async () => {
      const created = await api.as('alpha')<{ uploadId: string }>('POST', '/uploads', { body: { datasetId: 'signed', channel: 'training', size: 100 } });
      const urls = await api.as('alpha')<{ parts: { url: string }[] }>('POST', `/uploads/${created.body.uploadId}/parts`, { body: { partNumbers: [1] } });
      const key = signer(urls.body.parts[0].url);
      expect(key).toMatch(/^ASIA/);
      expect(await api.identityOfAccessKey(key)).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/access-alpha/platform-api-alpha`);
    });

    test('beta\'s model link is signed by a session of beta\'s access role, not alpha\'s and not the API\'s', async () => {
      const answer = await api.as('beta')<{ model: { url: string } }>('GET', '/jobs/dsp-beta-s1-0-dddd/artifacts');
      expect(await api.identityOfAccessKey(signer(answer.body.model.url))).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/access-beta/platform-api-beta`);
    });

    test('each request asks only for the services of the tenant its caller maps to; a refused caller gets none', async () => {
      api.servicesAskedFor.length = 0;
      await api.as('alpha')('GET', '/datasets');
      await api.as('beta')('GET', '/jobs');
      await api.call(OUTSIDER, 'GET', '/datasets');
      await api.call(undefined, 'GET', '/datasets');
      expect(api.servicesAskedFor).toEqual(['alpha', 'beta']);
    });
  });
});
