import { createHash } from 'node:crypto';
import { MAX_VALIDATION_FRACTION } from '../../../contract/ingestion-events';

export { DATASET_SPLITS, type DatasetSplit } from '../../../contract/key-layout';
export { MAX_VALIDATION_FRACTION };

/** The rule, in words, every message about a bad fraction gives. */
export const VALIDATION_FRACTION_RULE = `a number greater than 0 and at most ${MAX_VALIDATION_FRACTION} (e.g. 0.1 for 10 %)`;

/** True when `fraction` is a usable validation fraction (0 < f <= 0.5). */
export function isValidationFraction(fraction: unknown): fraction is number {
  return typeof fraction === 'number' && Number.isFinite(fraction) && fraction > 0 && fraction <= MAX_VALIDATION_FRACTION;
}

/**
 * How many of a class's `count` images go to validation:
 * - the nearest integer to `count × fraction`, ties going to training (2.5 → 2);
 * - but at least 1 and at most `count - 1` when the class has 2 or more images, so each side
 *   sees every class (a class of 2 images gives one to each side, whatever the fraction);
 * - 0 for a class of 1 image: it stays in training.
 * So the validation share of a small class can exceed the fraction, and the whole validation
 * part can differ from `fraction` of the images by up to one image per class.
 */
export function validationCount(count: number, fraction: number): number {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!isValidationFraction(fraction)) throw new RangeError(`validation fraction ${fraction} must be ${VALIDATION_FRACTION_RULE}`);
  if (count < 2) return 0;
  const nearest = Math.ceil(count * fraction - 0.5);
  return Math.min(count - 1, Math.max(1, nearest));
}

/**
 * The sort key that decides which images of a class go to validation: the first 48 bits of
 * SHA-256 over the seed and the image's path (below the wrapping folder). It depends on nothing
 * else (not the zip's entry order, not the other images, not Math.random), so the same images
 * give the same split in any zip, and a larger fraction only moves more images to validation.
 */
export function splitKey(seed: number, path: string): number {
  return createHash('sha256').update(`${seed >>> 0}\0${path}`, 'utf8').digest().readUIntBE(0, 6);
}

/** One image as the split sees it. */
export interface SplitCandidate {
  /** The image's path below the wrapping folder (the split's identity of the image). */
  readonly path: string;
  /** Its class (label); undefined for an unlabeled dataset, whose images form one stratum. */
  readonly stratum?: number;
}

/** The images of each side, each in the order given. */
export interface SplitParts<T> {
  readonly training: T[];
  readonly validation: T[];
}

/**
 * Pure: splits `items` class by class (stratified): in each class the {@link validationCount}
 * images with the smallest {@link splitKey} go to validation (ties, which need equal 48-bit keys,
 * go by the paths' UTF-16 order). Both parts keep the input order, so a caller can keep planning
 * in zip order.
 */
export function splitForValidation<T>(items: readonly T[], candidateOf: (item: T) => SplitCandidate, fraction: number, seed: number): SplitParts<T> {
  const strata = new Map<number | undefined, { index: number; key: number; path: string }[]>();
  items.forEach((item, index) => {
    const { path, stratum } = candidateOf(item);
    const list = strata.get(stratum) ?? [];
    list.push({ index, key: splitKey(seed, path), path });
    strata.set(stratum, list);
  });
  const toValidation = new Uint8Array(items.length);
  for (const members of strata.values()) {
    members.sort((a, b) => a.key - b.key || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const count = validationCount(members.length, fraction);
    for (let i = 0; i < count; i++) toValidation[members[i].index] = 1;
  }
  const training: T[] = [];
  const validation: T[] = [];
  items.forEach((item, index) => (toValidation[index] ? validation : training).push(item));
  return { training, validation };
}
