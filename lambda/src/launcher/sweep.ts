import type { HyperParameterValue, TrainingJobSweep } from '../../../contract/launch-request';
/** One job of an expanded sweep. */
export interface SweepPoint {
  /** The job's index in the sweep (0-based), part of its name. */
  readonly index: number;
  /** The hyperparameters this point sets, as strings. */
  readonly overrides: Readonly<Record<string, string>>;
  /** Where the point comes from in the request (`sweep.list[3]`, or the grid values it picks). */
  readonly origin: string;
}

/** How SageMaker receives a value: strings as they are, numbers in JavaScript's shortest round-trip form, booleans as true/false. */
export function hyperParameterString(value: HyperParameterValue): string {
  return typeof value === 'string' ? value : String(value);
}

/** The keys of a grid in expansion order: sorted, so the order a client wrote them in never changes job indexes. */
export function gridKeys(grid: Readonly<Record<string, readonly unknown[]>>): string[] {
  return Object.keys(grid).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * How many jobs a sweep makes: 1 without a sweep, the list's length, or the product of the grid's
 * value counts. Stops counting past `limit` (returns `limit + 1`) so a huge grid costs nothing.
 */
export function sweepSize(sweep: TrainingJobSweep | undefined, limit = Number.MAX_SAFE_INTEGER - 1): number {
  if (!sweep) {
    return 1;
  }
  if (sweep.list) {
    return sweep.list.length;
  }
  let size = 1;
  for (const key of gridKeys(sweep.grid ?? {})) {
    size *= sweep.grid![key].length;
    if (size > limit) {
      return limit + 1;
    }
  }
  return size;
}

/**
 * Expands a sweep into its points, in a fixed order: list order, or the grid's cartesian product
 * with keys in sorted order and the last key varying fastest. No sweep gives one point with no
 * overrides.
 */
export function expandSweep(sweep: TrainingJobSweep | undefined): SweepPoint[] {
  if (!sweep) {
    return [{ index: 0, overrides: {}, origin: 'request' }];
  }
  if (sweep.list) {
    return sweep.list.map((set, index) => ({ index, overrides: stringifySet(set), origin: `sweep.list[${index}]` }));
  }
  const grid = sweep.grid ?? {};
  const keys = gridKeys(grid);
  const size = sweepSize(sweep);
  const points: SweepPoint[] = [];
  for (let index = 0; index < size; index++) {
    const overrides: Record<string, string> = {};
    const picks: string[] = [];
    let rest = index;
    for (let k = keys.length - 1; k >= 0; k--) {
      const values = grid[keys[k]];
      const pick = rest % values.length;
      rest = Math.floor(rest / values.length);
      overrides[keys[k]] = hyperParameterString(values[pick]);
      picks.unshift(`${keys[k]}[${pick}]`);
    }
    points.push({ index, overrides: sortedRecord(overrides), origin: `sweep.grid{${picks.join(', ')}}` });
  }
  return points;
}

function stringifySet(set: Readonly<Record<string, HyperParameterValue>>): Record<string, string> {
  return Object.fromEntries(Object.entries(set).map(([key, value]) => [key, hyperParameterString(value)]));
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
