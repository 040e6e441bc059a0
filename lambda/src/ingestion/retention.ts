/**
 * Pure: which versions of one channel the retention job deletes. Versions are named after their
 * upload's time (`v20261203T101500Z-…`), so the name orders them and tells their age.
 */

/** What the job keeps. */
export interface RetentionPolicy {
  /** The newest complete versions kept per channel (at least 1). */
  readonly keepVersions: number;
  /** Versions younger than this are kept whatever their number. */
  readonly keepYoungerThanMs: number;
  /**
   * Versions without a manifest (a conversion in progress, or the leftovers of one that died) are
   * left alone for this long; the converters remove their own failures.
   */
  readonly incompleteGraceMs: number;
}

/** One version folder as the job finds it. */
export interface VersionEntry {
  readonly version: string;
  /** Its manifest exists. */
  readonly complete: boolean;
}

/** Why a version stays. */
export enum RetentionReason {
  CURRENT = 'current',
  NEWEST = 'newest',
  YOUNG = 'young',
  IN_PROGRESS = 'in-progress',
  UNDATED = 'undated',
}

export interface RetentionDecision {
  /** Oldest first. */
  readonly remove: string[];
  readonly keep: { readonly version: string; readonly reason: RetentionReason }[];
}

/** Incomplete versions younger than this are conversions that may still be running (the distributed timeout is 6 h by default). */
export const DEFAULT_INCOMPLETE_GRACE_MS = 2 * 24 * 3600 * 1000;

/** `v20261203T101500Z-…` or `v20261203T101500123Z-…` → that time; undefined when the name is not a version. */
export function versionTime(version: string): Date | undefined {
  const match = /^v(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?Z-[0-9a-f]{12}$/.exec(version);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, ms] = match;
  const time = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms ? +ms : 0));
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * Keeps every version `current` names (S3 and, on EFS, the file system's pointer), the newest
 * `keepVersions` complete ones, every one younger than `keepYoungerThanMs`, incomplete ones within
 * their grace, and anything whose name is not a version; removes the rest.
 */
export function decideRetention(versions: readonly VersionEntry[], current: ReadonlySet<string>, policy: RetentionPolicy, now: Date): RetentionDecision {
  if (!Number.isInteger(policy.keepVersions) || policy.keepVersions < 1) throw new Error(`keepVersions must be a whole number of at least 1, got ${policy.keepVersions}`);
  const keep: RetentionDecision['keep'] = [];
  const remove: string[] = [];
  const newestComplete = new Set(versions.filter((v) => v.complete).map((v) => v.version).sort().reverse().slice(0, policy.keepVersions));
  for (const entry of [...versions].sort((a, b) => a.version.localeCompare(b.version))) {
    const time = versionTime(entry.version);
    const age = time ? now.getTime() - time.getTime() : undefined;
    const reason = current.has(entry.version) ? RetentionReason.CURRENT
      : age === undefined ? RetentionReason.UNDATED
        : newestComplete.has(entry.version) ? RetentionReason.NEWEST
          : age < policy.keepYoungerThanMs ? RetentionReason.YOUNG
            : !entry.complete && age < policy.incompleteGraceMs ? RetentionReason.IN_PROGRESS
              : undefined;
    if (reason) keep.push({ version: entry.version, reason });
    else remove.push(entry.version);
  }
  return { remove, keep };
}
