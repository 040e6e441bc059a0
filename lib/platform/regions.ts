import { throwUnscoped } from '../validation';
/** The regions `bin/app.ts` deploys to when the `regions` context is not set. */
export const DEFAULT_REGIONS: readonly string[] = ['us-east-1', 'cn-north-1'];

const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/**
 * Reads the `regions` context value: a comma-separated string (`-c regions=us-east-1,eu-west-1`)
 * or a JSON array (from cdk.json). Unset means {@link DEFAULT_REGIONS}.
 */
export function parseRegions(value: unknown): string[] {
  if (value === undefined || value === null) {
    return [...DEFAULT_REGIONS];
  }
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!items) {
    throwUnscoped('InvalidRegionsContext', `Context 'regions' must be a comma-separated string or a list of region names (got ${JSON.stringify(value)}).`);
  }
  const regions = items.map((item) => String(item).trim()).filter((item) => item.length > 0);
  const invalid = regions.filter((region) => !REGION_NAME.test(region));
  if (regions.length === 0 || invalid.length > 0) {
    throwUnscoped('InvalidRegionsContext', `Context 'regions' must list region names such as us-east-1,cn-north-1 (got ${JSON.stringify(value)}` +
      `${invalid.length > 0 ? `; not a region name: ${invalid.join(', ')}` : ''}).`);
  }
  const duplicates = regions.filter((region, index) => regions.indexOf(region) !== index);
  if (duplicates.length > 0) {
    throwUnscoped('InvalidRegionsContext', `Context 'regions' lists ${duplicates.join(', ')} more than once; one stack per region.`);
  }
  return regions;
}

/** The stack name used for one region. */
export function platformStackName(region: string): string {
  return `DatasetPlatform-${region}`;
}
