import { Duration, Token, ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The library's prop validation: one set of checks, each skipping CDK tokens (their values are
 * unknown at synth, and a number token reads as a huge negative like -1.888e+289), each throwing
 * aws-cdk-lib's `ValidationError` on the construct, so `Errors.isValidationError(e)` and the CLI's
 * construct path work as for aws-cdk-lib's own constructs. Messages name the prop, the bad value,
 * the rule and the fix.
 */

type ValidationErrorName = ConstructorParameters<typeof ValidationError>[0];

/** Throws a `ValidationError` with `message` on `scope`. */
export function throwValidation(scope: IConstruct, name: string, message: string): never {
  throw new ValidationError(name as ValidationErrorName, message, scope);
}

/** Where a prop lives, for messages: `DatasetIngestion Stack/Ingestion`. */
export interface PropContext {
  /** The construct being validated. */
  readonly scope: IConstruct;
  /** The construct's class name, e.g. `DatasetIngestion`. */
  readonly construct: string;
}

/** Throws `<construct> <path>: <prop> is <value>; <rule>. <fix>`. */
export function failProp(ctx: PropContext, prop: string, value: string, rule: string, fix: string): never {
  return throwValidation(ctx.scope, `Invalid${prop.charAt(0).toUpperCase()}${prop.slice(1).replace(/[^A-Za-z0-9]/g, '')}`,
    `${ctx.construct} ${ctx.scope.node.path}: ${prop} is ${value}; ${rule}. ${fix}`);
}

/** A whole number from `min` to `max` (inclusive); tokens pass unchecked. Returns `value`. */
export function integerIn(ctx: PropContext, prop: string, value: number, min: number, max: number, fix: string): number {
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) {
    failProp(ctx, prop, String(value), `it must be a whole number from ${min} to ${max}`, fix);
  }
  return value;
}

/** A number from `min` to `max` (inclusive); tokens pass unchecked. Returns `value`. */
export function numberIn(ctx: PropContext, prop: string, value: number, min: number, max: number, fix: string): number {
  if (!Token.isUnresolved(value) && (!Number.isFinite(value) || value < min || value > max)) {
    failProp(ctx, prop, String(value), `it must be a number from ${min} to ${max}`, fix);
  }
  return value;
}

/** A Lambda memory size in MiB (128–10240); tokens pass unchecked. */
export function lambdaMemoryMiB(ctx: PropContext, prop: string, value: number, fix = 'Lambda accepts 128–10240 MiB; more memory also gives more CPU and network bandwidth.'): number {
  return integerIn(ctx, prop, value, 128, 10240, fix);
}

/** A Lambda timeout: whole seconds from 1 second to 15 minutes; tokens pass unchecked. */
export function lambdaTimeout(ctx: PropContext, prop: string, value: Duration, fix: string): Duration {
  if (!value.isUnresolved()) {
    const ms = value.toMilliseconds();
    if (ms < 1000 || ms > 900_000 || ms % 1000 !== 0) {
      failProp(ctx, prop, value.toHumanString(), 'it must be whole seconds from 1 second to 15 minutes (Lambda\'s maximum)', fix);
    }
  }
  return value;
}

/**
 * Whole days from `min` to `max` of a duration; a token duration passes unchecked (and is
 * returned as the token the CloudFormation property receives).
 */
export function wholeDaysIn(ctx: PropContext, prop: string, value: Duration, min: number, max: number, fix: string): number {
  if (value.isUnresolved()) {
    return value.toDays();
  }
  const days = value.toDays({ integral: false });
  if (!Number.isInteger(days) || days < min || days > max) {
    failProp(ctx, prop, `${days} days`, `it must be ${min} to ${max} whole days`, fix);
  }
  return days;
}
