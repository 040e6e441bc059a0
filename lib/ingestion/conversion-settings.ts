import { Size, Token } from 'aws-cdk-lib';
import { MAX_VALIDATION_FRACTION, type IngestionConversionSettings } from '../../contract/ingestion-events';
import { PropContext, failProp, integerIn, numberIn } from '../validation';
import type { DatasetIngestionConversionOptions } from './dataset-ingestion';

/**
 * The default shuffle unit of ingestion conversions: runs of neighbouring images of at least
 * 16 MiB are dealt to shards by the seeded permutation. A distributed worker then reads each run
 * as a few large sequential GETs (S3's guidance: 8–16 MB ranges) while every 128 MiB shard still
 * mixes eight places of the zip; the single function uses the same unit so both paths write
 * byte-identical shards.
 */
export const DEFAULT_SHUFFLE_BLOCK_SIZE = Size.mebibytes(16);

/**
 * The conversion options of `DatasetIngestion` (and of the distributed conversion it starts),
 * checked and turned into the JSON settings both Lambdas read from `CONVERSION_OPTIONS`: the same
 * object, so the single function and the distributed workers convert with the same options.
 */
export function resolveConversionSettings(options: DatasetIngestionConversionOptions | undefined, ctx: PropContext): IngestionConversionSettings {
  const c = options ?? {};
  const fail = (prop: string, value: string, rule: string, fix: string): never => failProp(ctx, prop, value, rule, fix);
  const sizeBytes = (prop: string, size: Size, min: number, fix: string): number => {
    if (size.isUnresolved()) fail(prop, 'a token', 'it must be known at synth', fix);
    const bytes = size.toBytes();
    if (!Number.isSafeInteger(bytes) || bytes < min) fail(prop, `${bytes} bytes`, `it must be at least ${min} bytes`, fix);
    return bytes;
  };
  const conversion: { -readonly [K in keyof IngestionConversionSettings]: IngestionConversionSettings[K] } = {};
  if (c.targetShardSize) conversion.targetShardBytes = sizeBytes('conversion.targetShardSize', c.targetShardSize, 1024 * 1024, 'Use e.g. Size.mebibytes(128) (TensorFlow\'s guidance is 100–200 MB per shard).');
  conversion.shuffleBlockBytes = sizeBytes('conversion.shuffleBlockSize', c.shuffleBlockSize ?? DEFAULT_SHUFFLE_BLOCK_SIZE, 0,
    'Use e.g. Size.mebibytes(16), or Size.bytes(0) to shuffle single images.');
  if (c.maxRejectedFraction !== undefined) {
    conversion.maxRejectedFraction = numberIn(ctx, 'conversion.maxRejectedFraction', c.maxRejectedFraction, 0, 1, 'Use 0 (any rejected entry fails the dataset) up to e.g. 0.01.');
  }
  if (c.seed !== undefined) conversion.seed = integerIn(ctx, 'conversion.seed', c.seed, 0, 0xffffffff, 'The shuffle seed is an unsigned 32-bit integer.');
  if (c.maxImagePixels !== undefined) conversion.maxImagePixels = integerIn(ctx, 'conversion.maxImagePixels', c.maxImagePixels, 1, Number.MAX_SAFE_INTEGER, 'Use e.g. 89478485 (Pillow\'s default).');
  if (c.validationFraction !== undefined) conversion.validationFraction = validationFraction(c.validationFraction, fail);
  return conversion;
}

/**
 * Known at synth (the converters read it as JSON from their environment, where a token would be
 * a meaningless number), greater than 0 and at most one half.
 */
function validationFraction(value: number, fail: (prop: string, value: string, rule: string, fix: string) => never): number {
  const prop = 'conversion.validationFraction';
  const fix = 'Use e.g. 0.1 to hold out 10 % of each class of an images upload for validation, or leave it out for no split.';
  if (Token.isUnresolved(value)) fail(prop, 'a token', 'it must be known at synth', fix);
  if (!(Number.isFinite(value) && value > 0 && value <= MAX_VALIDATION_FRACTION)) {
    fail(prop, String(value), `it must be a number greater than 0 and at most ${MAX_VALIDATION_FRACTION}`, fix);
  }
  return value;
}
