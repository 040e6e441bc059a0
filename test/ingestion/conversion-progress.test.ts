import {
  ConversionFailureCode, ConversionProgressUnit, ConversionRoute, ConversionState, DATASET_CONVERSION_PROGRESS, DATASET_CONVERSION_QUEUED, type ConversionStatusDocument,
} from '../../contract/ingestion-events';
import { channelSummary, type ChannelFacts } from '../../lambda/src/api/datasets';
import type { VersionServices } from '../../lambda/src/ingestion/commit-version';
import {
  announceQueued, conversionStatusKey, progressDetail, shouldAnnounceQueued, shouldReplaceStatus, trackProgress, type StatusWrite,
} from '../../lambda/src/ingestion/conversion-status';
import { progressFraction, progressStep, shouldReportProgress } from '../../lambda/src/ingestion/progress';

const ref = { tenant: 'vision', datasetId: 'cats', channel: 'training' };
const upload = (eventTime: string, etag: string) => ({ bucket: 'uploads', key: 'uploads/vision/cats/training.zip', eventTime, etag });
const status = (over: Partial<ConversionStatusDocument> = {}): ConversionStatusDocument => ({
  schemaVersion: 1, version: 'v20261203T100000Z-000000000001', upload: upload('2026-12-03T10:00:00.000Z', 'aaa'), state: ConversionState.CONVERTING, progress: 0.2, updatedAt: '2026-12-03T10:01:00.000Z', ...over,
});

describe('progress throttle: at most one event per 10 % or per minute', () => {
  test.each([
    ['first 10 %', { fraction: 0, atMs: 0 }, 0.1, 1_000, true],
    ['less than 10 % within the minute', { fraction: 0.1, atMs: 0 }, 0.19, 59_999, false],
    ['less than 10 % after a minute', { fraction: 0.1, atMs: 0 }, 0.11, 60_000, true],
    ['no progress after a minute', { fraction: 0.3, atMs: 0 }, 0.3, 600_000, false],
    ['never at 0', { fraction: 0, atMs: 0 }, 0, 600_000, false],
    ['never at 1 (DatasetConverted says it)', { fraction: 0.5, atMs: 0 }, 1, 600_000, false],
    ['never backwards', { fraction: 0.5, atMs: 0 }, 0.2, 600_000, false],
  ])('%s', (_name, last, fraction, now, expected) => {
    expect(shouldReportProgress(last, fraction, now)).toBe(expected);
  });

  test('a whole conversion polled every 5 s over 10 minutes reports at most 10 times, never twice in one 10 % step within a minute', () => {
    let last = { fraction: 0, atMs: 0 };
    const reports: { fraction: number; atMs: number }[] = [];
    for (let t = 5_000; t <= 600_000; t += 5_000) {
      const fraction = progressFraction(t, 600_000);
      if (shouldReportProgress(last, fraction, t)) reports.push(last = { fraction, atMs: t });
    }
    expect(reports.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i].fraction - reports[i - 1].fraction >= 0.1 - 1e-9 || reports[i].atMs - reports[i - 1].atMs >= 60_000).toBe(true);
    }
  });

  test('fractions are rounded down, capped at 1; steps cover 1–9 only', () => {
    expect(progressFraction(2, 3)).toBe(0.666);
    expect(progressFraction(5, 0)).toBe(0);
    expect(progressFraction(7, 5)).toBe(1);
    expect([0, 1, 2, 5, 9, 10].map((done) => progressStep(done, 10))).toEqual([undefined, 1, 2, 5, 9, undefined]);
    expect([1, 2, 3].map((done) => progressStep(done, 1000))).toEqual([undefined, undefined, undefined]);
    expect(progressStep(100, 1000)).toBe(1);
  });

  test('a progress detail names the route, the unit and the counts', () => {
    const detail = progressDetail({ ref, version: 'v20261203T100000Z-000000000001', upload: upload('2026-12-03T10:00:00.000Z', 'aaa'), size: 10, route: ConversionRoute.DISTRIBUTED }, ConversionProgressUnit.WORK_ITEMS, 3, 7);
    expect(detail).toEqual({
      schemaVersion: 1, tenant: 'vision', datasetId: 'cats', channel: 'training', version: 'v20261203T100000Z-000000000001',
      upload: { ...upload('2026-12-03T10:00:00.000Z', 'aaa'), size: 10 }, route: 'distributed', progress: 0.428, unit: 'work-items', completed: 3, total: 7,
    });
  });

  test('trackProgress polls, throttles and stops', async () => {
    jest.useFakeTimers();
    try {
      const published: { type: string; detail: { progress: number } }[] = [];
      const written: unknown[] = [];
      const services = {
        events: { publish: async (type: string, detail: { progress: number }) => { published.push({ type, detail }); return 'id'; } },
        datasets: { readJson: async () => undefined, writeJsonIfUnchanged: async (_k: string, v: unknown) => { written.push(v); return true; } },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        now: () => new Date('2026-12-03T10:00:00Z'),
      } as unknown as VersionServices;
      let done = 0;
      let clock = 0;
      const tracker = trackProgress(services, { ref, version: 'v20261203T100000Z-000000000001', upload: upload('2026-12-03T10:00:00.000Z', 'aaa'), route: ConversionRoute.SINGLE_FUNCTION },
        ConversionProgressUnit.BYTES, () => ({ completed: done, total: 100 }), { pollMs: 1_000, nowMs: () => clock });
      for (const [bytes, ms] of [[5, 1_000], [12, 2_000], [15, 3_000], [21, 4_000], [22, 70_000], [99, 71_000]] as const) {
        done = bytes;
        clock = ms;
        await jest.advanceTimersByTimeAsync(1_000);
      }
      await tracker.stop();
      done = 50;
      await jest.advanceTimersByTimeAsync(5_000);
      // 5 % and 15 % are too little; 21 % is within the minute of 12 %; 22 % comes a minute later; nothing after stop().
      expect(published.map((p) => [p.type, p.detail.progress])).toEqual([
        [DATASET_CONVERSION_PROGRESS, 0.12], [DATASET_CONVERSION_PROGRESS, 0.22], [DATASET_CONVERSION_PROGRESS, 0.99],
      ]);
      expect(written).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('conversion-status.json: only moves forward', () => {
  const later = { version: 'v20261203T110000Z-000000000002', upload: upload('2026-12-03T11:00:00.000Z', 'bbb') };
  test.each([
    ['absent', undefined, status(), true],
    ['progress forward', status({ progress: 0.2 }), status({ progress: 0.3 }), true],
    ['progress backwards (a late worker)', status({ progress: 0.5 }), status({ progress: 0.4 }), false],
    ['the same progress again (a redelivery)', status({ progress: 0.5 }), status({ progress: 0.5 }), false],
    ['queued → converting', status({ state: ConversionState.QUEUED }), status(), true],
    ['converting → queued (a late hand-off)', status(), status({ state: ConversionState.QUEUED }), false],
    ['failed → converting (a late progress write)', status({ state: ConversionState.FAILED }), status(), false],
    ['converted → converted (a redelivery)', status({ state: ConversionState.CONVERTED }), status({ state: ConversionState.CONVERTED }), false],
    ['failed → converted (a later attempt committed it)', status({ state: ConversionState.FAILED }), status({ state: ConversionState.CONVERTED }), true],
    ['a later upload replaces a finished one', status({ state: ConversionState.CONVERTED }), status({ ...later, progress: 0 }), true],
    ['an earlier upload never replaces a later one', status({ ...later, state: ConversionState.CONVERTING }), status({ state: ConversionState.FAILED }), false],
  ])('%s', (_name, current, candidate, expected) => {
    expect(shouldReplaceStatus(current, candidate)).toBe(expected);
  });

  test('it sits next to current.json, outside every version folder', () => {
    expect(conversionStatusKey(ref)).toBe('datasets/vision/cats/training/conversion-status.json');
  });
});

describe('DatasetConversionQueued: once per version, decided by the queued status write', () => {
  const version = 'v20261203T100000Z-000000000001';
  const later = status({ version: 'v20261203T110000Z-000000000002', upload: upload('2026-12-03T11:00:00.000Z', 'bbb'), state: ConversionState.QUEUED });
  test.each<[string, StatusWrite, boolean]>([
    ['the write recorded the version queued: the first hand-off', { kind: 'written' }, true],
    ['the status already says queued for this version: a duplicate delivery or a retried hand-off', { kind: 'kept', current: status({ state: ConversionState.QUEUED, progress: 0 }) }, false],
    ['the status is further along for this version: DatasetConversionStarted has gone out', { kind: 'kept', current: status() }, false],
    ['a later upload of the channel is recorded: a duplicate cannot be told from the first', { kind: 'kept', current: later }, true],
    ['the write failed: a duplicate cannot be told from the first', { kind: 'unknown' }, true],
  ])('%s', (_name, write, expected) => {
    expect(shouldAnnounceQueued(write, version)).toBe(expected);
  });

  /** Services whose status document lives in memory (compare-and-swap on a counter), recording what is published. */
  function servicesWithStatus(initial?: ConversionStatusDocument, failing = false) {
    let document = initial;
    let etag = initial ? 1 : 0;
    const published: { type: string; detail: unknown }[] = [];
    const services = {
      events: { publish: async (type: string, detail: unknown) => { published.push({ type, detail }); return 'id'; } },
      datasets: {
        readJson: async () => {
          if (failing) throw new Error('S3 is down (simulated)');
          return document ? { value: document, etag: String(etag) } : undefined;
        },
        writeJsonIfUnchanged: async (_key: string, value: ConversionStatusDocument, expected?: string) => {
          if ((document ? String(etag) : undefined) !== expected) return false;
          document = value;
          etag++;
          return true;
        },
      },
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      now: () => new Date('2026-12-03T10:00:00Z'),
    } as unknown as VersionServices;
    return { services, published, status: () => document };
  }
  const facts = { ref, version, upload: upload('2026-12-03T10:00:00.000Z', 'aaa'), size: 20 * 1024 ** 3, route: ConversionRoute.DISTRIBUTED };

  test('two hand-offs of one version: the status says queued, one event with the conversion header', async () => {
    const { services, published, status: current } = servicesWithStatus();
    expect(await announceQueued(services, facts)).toBe(true);
    expect(await announceQueued(services, facts)).toBe(false);
    expect(current()).toMatchObject({ version, state: ConversionState.QUEUED, progress: 0 });
    expect(published).toEqual([{
      type: DATASET_CONVERSION_QUEUED,
      detail: {
        schemaVersion: 1, tenant: 'vision', datasetId: 'cats', channel: 'training', version,
        upload: { ...upload('2026-12-03T10:00:00.000Z', 'aaa'), size: 20 * 1024 ** 3 }, route: 'distributed',
      },
    }]);
  });

  test('a hand-off after the planner recorded converting sends nothing; one whose status write fails still sends', async () => {
    const converting = servicesWithStatus(status({ progress: 0 }));
    expect(await announceQueued(converting.services, facts)).toBe(false);
    expect(converting.published).toEqual([]);
    expect(converting.status()).toMatchObject({ state: ConversionState.CONVERTING });
    const failing = servicesWithStatus(undefined, true);
    expect(await announceQueued(failing.services, facts)).toBe(true);
    expect(failing.published.map((p) => p.type)).toEqual([DATASET_CONVERSION_QUEUED]);
  });
});

describe('the API\'s dataset listing shows what the converters recorded', () => {
  const uploaded = { key: 'uploads/vision/cats/training.zip', size: 1234, lastModified: '2026-12-03T10:00:00.000Z', etag: '"aaa"' };
  const base: ChannelFacts = { datasetId: 'cats', channel: 'training', upload: uploaded, versions: [] };
  test.each([
    ['converting with progress', { conversion: status({ progress: 0.4 }) }, { status: 'converting', progress: 0.4 }],
    ['queued for a distributed slot', { conversion: status({ state: ConversionState.QUEUED, progress: 0 }) }, { status: 'converting', progress: 0, reason: expect.stringContaining('queued') }],
    ['importing onto FSx', { conversion: status({ state: ConversionState.IMPORTING, progress: 1 }) }, { status: 'converting', progress: 1, reason: 'importing onto the file system' }],
    ['failed, with reason, code and message', {
      conversion: status({ state: ConversionState.FAILED, code: ConversionFailureCode.INVALID_ZIP, reason: 'unreadable or unsafe zip', message: 'entries overlap' }),
    }, { status: 'failed', reason: 'unreadable or unsafe zip (invalid-zip): entries overlap' }],
    ['failed while an older version stays current', {
      versions: [{ version: 'v20261202T100000Z-000000000000', complete: true }],
      pointer: { version: 'v20261202T100000Z-000000000000', uploadEtag: 'old' },
      conversion: status({ state: ConversionState.FAILED, code: ConversionFailureCode.TOO_LARGE, reason: 'too large' }),
    }, { status: 'failed', currentVersion: 'v20261202T100000Z-000000000000', reason: 'too large (too-large)' }],
    ['a status about an older upload is ignored', {
      conversion: status({ upload: upload('2026-12-02T10:00:00.000Z', 'old'), state: ConversionState.FAILED, reason: 'old failure' }),
    }, { status: 'converting' }],
    ['ready once the pointer names the newest upload', {
      versions: [{ version: 'v20261203T100000Z-000000000001', complete: true }],
      pointer: { version: 'v20261203T100000Z-000000000001', uploadEtag: 'aaa' },
      conversion: status({ state: ConversionState.CONVERTED }),
    }, { status: 'ready', currentVersion: 'v20261203T100000Z-000000000001' }],
  ])('%s', (_name, facts, expected) => {
    const summary = channelSummary({ ...base, ...facts } as ChannelFacts);
    expect(summary).toMatchObject(expected);
    if (expected.status !== 'failed' && !('reason' in expected)) expect(summary.reason).toBeUndefined();
    if (expected.status === 'ready') expect(summary.progress).toBeUndefined();
  });
});
