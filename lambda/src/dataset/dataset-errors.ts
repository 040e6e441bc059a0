import type { RejectedEntry } from './entry-outcome';

export enum DatasetProblem {
  /** The zip holds no files at all: only folders and OS metadata (`__MACOSX/`, `.DS_Store`), or nothing. */
  EMPTY_ZIP = 'empty-zip',
  /** Every file of the zip was rejected: `rejected` names each one with its reason. */
  ALL_ENTRIES_REJECTED = 'all-entries-rejected',
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
