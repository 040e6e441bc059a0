import fc from 'fast-check';
import {
  CLIENT_TOKEN_PATTERN, MAX_JOBS_CEILING, SAGEMAKER_LIMITS, canonicalJson, expandSweep, jobNamePrefixProblem, planJobs, specHash, sweepSize,
  trainingJobName, validateLaunchRequest,
} from '../../lambda/src/launcher';
import { testConfig, testRules, validRequest } from './support/fixtures';

const NAME = SAGEMAKER_LIMITS.trainingJobName.pattern;
const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
const token = fc.stringMatching(/^[A-Za-z0-9](-?[A-Za-z0-9]){0,40}$/);
const grid = fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 4 }), { minKeys: 1, maxKeys: 4 });

describe('sweep expansion', () => {
  test('no sweep is one job with the base hyperparameters', () => {
    expect(expandSweep(undefined)).toEqual([{ index: 0, overrides: {}, origin: 'request' }]);
  });

  test('a list gives its sets in order, values as strings', () => {
    expect(expandSweep({ list: [{ lr: 0.1, use_amp: true }, { lr: '1e-3', batch: 64 }] })).toEqual([
      { index: 0, overrides: { lr: '0.1', use_amp: 'true' }, origin: 'sweep.list[0]' },
      { index: 1, overrides: { lr: '1e-3', batch: '64' }, origin: 'sweep.list[1]' },
    ]);
  });

  test('a grid is the cartesian product, keys sorted, the last key fastest', () => {
    const points = expandSweep({ grid: { learning_rate: [0.1, 0.01], batch_size: [32, 64, 128] } });
    expect(points.map((point) => point.overrides)).toEqual([
      { batch_size: '32', learning_rate: '0.1' }, { batch_size: '32', learning_rate: '0.01' },
      { batch_size: '64', learning_rate: '0.1' }, { batch_size: '64', learning_rate: '0.01' },
      { batch_size: '128', learning_rate: '0.1' }, { batch_size: '128', learning_rate: '0.01' },
    ]);
    expect(points[3].origin).toBe('sweep.grid{batch_size[1], learning_rate[1]}');
  });

  test('numbers keep JavaScript\'s shortest round-trip form', () => {
    expect(expandSweep({ list: [{ a: 1e-7, b: 0.30000000000000004, c: 100, d: -0 }] })[0].overrides).toEqual({ a: '1e-7', b: '0.30000000000000004', c: '100', d: '0' });
  });

  test('property: grid size is the product of the value counts', () => {
    fc.assert(fc.property(grid, (g) => {
      const product = Object.values(g).reduce((n, values) => n * values.length, 1);
      expect(sweepSize({ grid: g })).toBe(product);
      expect(expandSweep({ grid: g })).toHaveLength(product);
    }));
  });

  test('property: grid points are distinct and cover every combination', () => {
    fc.assert(fc.property(grid, (g) => {
      const points = expandSweep({ grid: g }).map((point) => canonicalJson(point.overrides));
      expect(new Set(points).size).toBe(points.length);
      for (const point of expandSweep({ grid: g })) {
        for (const [key, values] of Object.entries(g)) {
          expect(values.map(String)).toContain(point.overrides[key]);
        }
      }
    }));
  });

  test('property: the order keys are written in does not change the expansion', () => {
    fc.assert(fc.property(grid, (g) => {
      const reversed = Object.fromEntries(Object.entries(g).reverse());
      expect(expandSweep({ grid: reversed })).toEqual(expandSweep({ grid: g }));
    }));
  });

  test('property: a list expands to its sets in order, each value as SageMaker receives it', () => {
    fc.assert(fc.property(fc.array(fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), scalar, { minKeys: 1, maxKeys: 3 }), { minLength: 1, maxLength: 6 }), (list) => {
      const points = expandSweep({ list });
      expect(points.map((point) => point.index)).toEqual(list.map((_, index) => index));
      points.forEach((point, index) => {
        expect(point.overrides).toEqual(Object.fromEntries(Object.entries(list[index]).map(([key, value]) => [key, typeof value === 'string' ? value : String(value)])));
      });
    }));
  });

  test('sweepSize stops counting past the limit', () => {
    const huge = { grid: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, Array.from({ length: 50 }, (__, j) => j)])) };
    expect(sweepSize(huge, 50)).toBe(51);
  });
});

describe('job names', () => {
  test('are <prefix>-<tenant>-<token>-<index>-<8 hex>, lowercase, within SageMaker\'s pattern', () => {
    const name = trainingJobName('dsp', 'vision', 'Req-ABC', 3, specHash({ a: 1 }));
    expect(name).toMatch(/^dsp-vision-req-abc-3-[0-9a-f]{8}$/);
    expect(name).toMatch(NAME);
  });

  test('a long client token is shortened to fit 63 characters; the hash still covers all of it', () => {
    const long = `${'a'.repeat(60)}-x1`;
    const other = `${'a'.repeat(60)}-x2`;
    const a = trainingJobName('platform-prefix-24-chars', 'a'.repeat(16), long, 999, 'h');
    const b = trainingJobName('platform-prefix-24-chars', 'a'.repeat(16), other, 999, 'h');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(NAME);
    expect(a).not.toBe(b);
  });

  test('a shortened token never ends in a hyphen', () => {
    const name = trainingJobName('dsp', 'vision', `${'a'.repeat(45)}----b`, 0, 'h');
    expect(name).toMatch(NAME);
    expect(name).not.toMatch(/--\d+-[0-9a-f]{8}$/);
  });

  test('property: valid, deterministic and unique per (token, index, spec)', () => {
    fc.assert(fc.property(token, fc.integer({ min: 0, max: MAX_JOBS_CEILING - 1 }), fc.string(), (t, index, spec) => {
      const name = trainingJobName('dsp', 'vision', t, index, specHash(spec));
      expect(name).toMatch(NAME);
      expect(name.length).toBeLessThanOrEqual(63);
      expect(trainingJobName('dsp', 'vision', t, index, specHash(spec))).toBe(name);
      expect(trainingJobName('dsp', 'vision', t, (index + 1) % MAX_JOBS_CEILING, specHash(spec))).not.toBe(name);
      expect(trainingJobName('dsp', 'vision', t, index, specHash(`${spec}!`))).not.toBe(name);
    }));
  });

  test('property: every job of a valid sweep gets a distinct, valid name', () => {
    fc.assert(fc.property(token, grid, (clientToken, g) => {
      const rules = testRules();
      const validation = validateLaunchRequest(validRequest({ clientToken, sweep: { grid: g } }), rules);
      fc.pre(validation.ok);
      if (!validation.ok) return;
      const jobs = planJobs(validation.request, rules, 'dsp');
      const names = jobs.map((job) => job.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(NAME);
      expect(planJobs(validation.request, rules, 'dsp').map((job) => job.name)).toEqual(names);
    }), { numRuns: 50 });
  });

  test('the spec hash ignores key order and covers every value', () => {
    expect(specHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(specHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(specHash({ a: 1, b: { c: 2, d: [1, 2] } })).not.toBe(specHash({ a: 1, b: { c: 2, d: [2, 1] } }));
    expect(canonicalJson({ b: undefined, a: null })).toBe('{"a":null}');
  });

  test.each([
    ['dsp', undefined], ['team-a', undefined], ['a1', undefined], ['a'.repeat(24), undefined],
    ['DSP', 'lowercase'], ['team_a', 'lowercase'], ['-dsp', 'lowercase'], ['dsp-', 'lowercase'], ['ds--p', 'lowercase'], ['', 'lowercase'], ['a'.repeat(25), 'at most 24'],
  ])('job-name prefix %j', (prefix, problem) => {
    if (problem) expect(jobNamePrefixProblem(prefix)).toContain(problem);
    else expect(jobNamePrefixProblem(prefix)).toBeUndefined();
  });

  test('client tokens: UUIDs and simple ids pass, other characters do not', () => {
    expect(CLIENT_TOKEN_PATTERN.test('3f1c2a9e-7b4d-4c1e-9a8f-0d2e5b6c7a81')).toBe(true);
    expect(CLIENT_TOKEN_PATTERN.test('batch--7')).toBe(true);
    expect(CLIENT_TOKEN_PATTERN.test('a_b')).toBe(false);
    expect(CLIENT_TOKEN_PATTERN.test('-ab')).toBe(false);
    expect(() => trainingJobName('dsp', 'vision', 'a_b', 0, 'h')).toThrow(/client token/);
    expect(() => trainingJobName('DSP', 'vision', 'ab', 0, 'h')).toThrow(/prefix/);
    expect(() => trainingJobName('dsp', 'vision', 'ab', MAX_JOBS_CEILING, 'h')).toThrow(/out of range/);
    expect(() => trainingJobName('dsp', 'team-a', 'ab', 0, 'h')).toThrow(/Tenant "team-a" must be a lowercase letter/);
  });
});

describe('job planning', () => {
  const rules = testRules();
  const plan = (overrides: Record<string, unknown> = {}) => {
    const validation = validateLaunchRequest(validRequest(overrides), rules);
    if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
    return planJobs(validation.request, rules, testConfig().jobNamePrefix);
  };

  test('one job per sweep point, base hyperparameters overridden by the point', () => {
    const jobs = plan({ hyperparameters: { epochs: 10, learning_rate: 1 } });
    expect(jobs).toHaveLength(4);
    expect(jobs.map((job) => job.spec.hyperParameters)).toEqual([
      { epochs: '10', learning_rate: '0.1', batch_size: '32' },
      { epochs: '10', learning_rate: '0.01', batch_size: '32' },
      { epochs: '10', learning_rate: '0.1', batch_size: '64' },
      { epochs: '10', learning_rate: '0.01', batch_size: '64' },
    ]);
  });

  test('defaults are applied: channel names as dataset channels, file system, File mode, one instance, 50 GB, one day', () => {
    const [job] = plan();
    expect(job.spec).toMatchObject({
      datasetId: 'cats',
      channels: {
        training: { datasetId: 'cats', datasetChannel: 'training', version: null, source: 'fileSystem', inputMode: 'File', contentType: null },
        evaluation: { datasetId: 'cats', datasetChannel: 'evaluation', version: null, source: 'fileSystem', inputMode: 'File', contentType: null },
      },
      instanceCount: 1,
      volumeSizeInGB: 50,
      maxRuntimeInSeconds: 86400,
      checkpoints: null,
    });
  });

  test('writing a default explicitly gives the same names (the spec hash covers values, not spelling)', () => {
    const implicit = plan().map((job) => job.name);
    const explicit = plan({
      channels: { evaluation: { datasetId: 'cats', datasetChannel: 'evaluation', source: 'fileSystem', inputMode: 'File' }, training: { datasetChannel: 'training' } },
      instanceCount: 1, volumeSizeInGB: 50, maxRuntimeInSeconds: 86400, hyperparameters: { epochs: '10' },
      sweep: { grid: { batch_size: ['32', '64'], learning_rate: ['0.1', '0.01'] } },
    }).map((job) => job.name);
    expect(explicit).toEqual(implicit);
  });

  test('a changed spec changes the names; the client token changes them too', () => {
    const names = plan().map((job) => job.name);
    expect(plan({ instanceType: 'ml.m5.xlarge' }).map((job) => job.name).some((name) => names.includes(name))).toBe(false);
    expect(plan({ clientToken: 'another-request' }).map((job) => job.name).some((name) => names.includes(name))).toBe(false);
  });

  test('the default runtime is capped by the launcher', () => {
    const capped = testRules({ maxRuntimeInSeconds: 3600 });
    const validation = validateLaunchRequest(validRequest(), capped);
    expect(validation.ok && planJobs(validation.request, capped, 'dsp')[0].spec.maxRuntimeInSeconds).toBe(3600);
  });

  test('checkpoints: true uses /opt/ml/checkpoints', () => {
    expect(plan({ checkpoints: true })[0].spec.checkpoints).toEqual({ localPath: '/opt/ml/checkpoints' });
    expect(plan({ checkpoints: { localPath: '/ckpt' } })[0].spec.checkpoints).toEqual({ localPath: '/ckpt' });
  });
});
