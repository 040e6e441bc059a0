import type { RejectedEntry } from './entry-outcome';

export enum DatasetProblem {
  NO_IMAGES = 'no-images',
  MIXED_LAYOUT = 'mixed-layout',
  REJECTED_ENTRIES = 'rejected-entries',
  INVALID_OPTIONS = 'invalid-options',
}

/** The zip is readable but is not an acceptable dataset. `rejected` lists every rejected entry. */
export class DatasetError extends Error {
  constructor(
    readonly problem: DatasetProblem,
    message: string,
    readonly rejected: readonly RejectedEntry[] = [],
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}
