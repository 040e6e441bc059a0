import { Duration, Size, Token, Tokenization, UnscopedValidationError, ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The library's prop validation: one set of checks, each skipping CDK tokens (their values are
 * unknown at synth, and a number token reads as a huge negative like -1.888e+289), each throwing
 * aws-cdk-lib's `ValidationError` on the construct (or `UnscopedValidationError` from a pure check
 * without a construct), so `Errors.isValidationError(e)` and the CLI's construct path work as for
 * aws-cdk-lib's own constructs. Messages name the prop, the bad value, the rule and the fix.
 */

type ValidationErrorName = ConstructorParameters<typeof ValidationError>[0];

/** Throws a `ValidationError` with `message` on `scope`. */
export function throwValidation(scope: IConstruct, name: string, message: string): never {
  throw new ValidationError(name as ValidationErrorName, message, scope);
}

/** Throws an `UnscopedValidationError`: a pure check's failure, before any construct exists. */
export function throwUnscoped(name: string, message: string): never {
  throw new UnscopedValidationError(name as ValidationErrorName, message);
}

/**
 * Where a prop lives, for messages. With `scope`, failures read `<construct> <path>: <prop> is …` and
 * are `ValidationError`s on the construct; without it (pure checks) they read `<prop> is …` and are
 * `UnscopedValidationError`s that {@link rethrowInScope} attaches to the construct later.
 */
export interface PropContext {
  /** The construct being validated. */
  readonly scope?: IConstruct;
  /** The construct's class name, e.g. `DatasetIngestion`. */
  readonly construct?: string;
}

/** The context of a pure check: no construct yet. */
export const PURE: PropContext = {};

/** The error name of a prop's failure: `maxAzs` → `InvalidMaxAzs`, `conversion.seed` → `InvalidConversionSeed`. */
export function invalidPropName(prop: string): string {
  return `Invalid${prop.split(/[^A-Za-z0-9]+/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('')}`;
}

/** Throws `name`/`message` in `ctx`: on its construct (prefixed with class and path) or unscoped. */
export function failIn(ctx: PropContext, name: string, message: string): never {
  if (ctx.scope) {
    return throwValidation(ctx.scope, name, `${ctx.construct ?? ctx.scope.constructor.name} ${ctx.scope.node.path}: ${message}`);
  }
  return throwUnscoped(name, message);
}

/** Throws `<prop> is <value>; <rule>. <fix>` in `ctx`. */
export function failProp(ctx: PropContext, prop: string, value: string, rule: string, fix: string): never {
  return failIn(ctx, invalidPropName(prop), `${prop} is ${value}; ${rule}. ${fix}`.trimEnd());
}

/**
 * Runs pure checks and attaches their `UnscopedValidationError`s to `scope`, prefixed
 * `<construct> <path>: `, keeping their names. Other errors pass through.
 */
export function rethrowInScope<T>(scope: IConstruct, construct: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UnscopedValidationError) {
      return throwValidation(scope, error.name, `${construct} ${scope.node.path}: ${error.message}`);
    }
    throw error;
  }
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

/** A number above 0 and at most `max`; tokens pass unchecked. Returns `value`. */
export function positiveUpTo(ctx: PropContext, prop: string, value: number, max: number, fix: string): number {
  if (!Token.isUnresolved(value) && !(value > 0 && value <= max)) {
    failProp(ctx, prop, String(value), `it must be above 0 and at most ${max}`, fix);
  }
  return value;
}

/**
 * A size in bytes from `min` to `max`; a token size passes unchecked (returned as the token). A token
 * must be given in bytes (`Size.bytes(token)`): CDK cannot convert a token between units.
 */
export function bytesIn(ctx: PropContext, prop: string, value: Size, min: number, max: number, fix: string): number {
  let bytes: number;
  try {
    bytes = value.toBytes();
  } catch {
    return failProp(ctx, prop, `a token size (${value.toHumanString()})`, 'a token size must be given in bytes, as CDK cannot convert a token between units',
      'Write Size.bytes(parameter.valueAsNumber).');
  }
  if (!Token.isUnresolved(bytes) && (!Number.isInteger(bytes) || bytes < min || bytes > max)) {
    const rule = max >= Number.MAX_SAFE_INTEGER ? `it must be at least ${bytesText(min)}` : `it must be from ${bytesText(min)} to ${bytesText(max)}`;
    failProp(ctx, prop, value.toHumanString(), rule, fix);
  }
  return bytes;
}

/** `1048576 bytes (1 MiB)`: exact, and readable. */
function bytesText(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${bytes} bytes (${Size.bytes(bytes).toHumanString()})`;
}

/** One of `allowed`; tokens pass unchecked. Returns `value`. */
export function numberOneOf(ctx: PropContext, prop: string, value: number, allowed: number[], fix: string): number {
  if (!Token.isUnresolved(value) && !allowed.includes(value)) {
    failProp(ctx, prop, String(value), `it must be one of ${allowed.join(', ')}`, fix);
  }
  return value;
}

/**
 * A string matching `pattern` (anchor it); tokens pass unchecked. `rule` says what the pattern
 * means, e.g. `it must be fs- followed by at least 8 lowercase hex digits`. Returns `value`.
 */
export function matchesPattern(ctx: PropContext, prop: string, value: string, pattern: RegExp, rule: string, fix: string): string {
  if (!Token.isUnresolved(value) && !pattern.test(value)) {
    failProp(ctx, prop, JSON.stringify(value), rule, fix);
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
 * returned as the token the CloudFormation property receives). A token must be given in days
 * (`Duration.days(token)`): CDK cannot convert a token between units.
 */
export function wholeDaysIn(ctx: PropContext, prop: string, value: Duration, min: number, max: number, fix: string): number {
  if (value.isUnresolved()) {
    return tokenIn(ctx, prop, value, 'days', () => value.toDays());
  }
  const days = value.toDays({ integral: false });
  if (!Number.isInteger(days) || days < min || days > max) {
    failProp(ctx, prop, `${days} days`, `it must be ${min} to ${max} whole days`, fix);
  }
  return days;
}

/**
 * Whole seconds from `min` to `max` of a duration; a token duration passes unchecked (and is
 * returned as the token the CloudFormation property or environment variable receives). A token
 * must be given in seconds (`Duration.seconds(token)`): CDK cannot convert a token between units.
 */
export function wholeSecondsIn(ctx: PropContext, prop: string, value: Duration, min: number, max: number, fix: string): number {
  if (value.isUnresolved()) {
    return tokenIn(ctx, prop, value, 'seconds', () => value.toSeconds());
  }
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    const range = max >= Number.MAX_SAFE_INTEGER ? `, at least ${Duration.seconds(min).toHumanString()}`
      : ` from ${Duration.seconds(min).toHumanString()} to ${Duration.seconds(max).toHumanString()}`;
    failProp(ctx, prop, value.toHumanString(), `it must be whole seconds${range}`, fix);
  }
  return seconds;
}

/** A token duration converted to `unit`, or a failure saying to build the duration in that unit. */
function tokenIn(ctx: PropContext, prop: string, value: Duration, unit: 'days' | 'seconds', convert: () => number): number {
  try {
    return convert();
  } catch {
    return failProp(ctx, prop, `a token duration (${value.toHumanString()})`, `a token duration must be given in ${unit}, as CDK cannot convert a token between units`,
      `Write Duration.${unit}(parameter.valueAsNumber).`);
  }
}

/**
 * A number as text for an environment variable, a tag or a shell setting: a token stays a token
 * (rendered as a reference at deploy time) instead of `String(token)`'s meaningless `-1.888e+289`.
 */
export function numberText(value: number): string {
  return Token.isUnresolved(value) ? Tokenization.stringifyNumber(value) : String(value);
}

/**
 * Every problem of a construct's props at once: each check runs as a pure check (with
 * {@link PURE}), and their failures, plus any added with {@link PropProblems.add}, are thrown
 * together by {@link PropProblems.throwIfAny} as one `ValidationError` on the construct (or an
 * `UnscopedValidationError` without one), one problem a line.
 */
export class PropProblems {
  private readonly problems: Array<{ readonly name: string; readonly message: string }> = [];

  constructor(private readonly ctx: PropContext) {}

  /** Runs one pure check, noting its validation failure instead of throwing it. */
  public check(run: () => unknown): void {
    try {
      run();
    } catch (error) {
      if (!(error instanceof UnscopedValidationError)) throw error;
      this.problems.push({ name: error.name, message: error.message });
    }
  }

  /** Notes a problem of `prop` in words: what is wrong and what to do. */
  public add(prop: string, message: string): void {
    this.problems.push({ name: invalidPropName(prop), message });
  }

  /** Notes `<prop> is <value>; <rule>. <fix>`. */
  public addProp(prop: string, value: string, rule: string, fix: string): void {
    this.add(prop, `${prop} is ${value}; ${rule}. ${fix}`.trimEnd());
  }

  /** Throws the problems noted, if any: the first one's name, every message. */
  public throwIfAny(): void {
    if (this.problems.length === 0) return;
    const lines = `\n  ${this.problems.map((problem) => problem.message).join('\n  ')}`;
    const { scope } = this.ctx;
    if (scope) {
      throwValidation(scope, this.problems[0].name, `${this.ctx.construct ?? scope.constructor.name} ${scope.node.path}:${lines}`);
    }
    throwUnscoped(this.problems[0].name, `${this.ctx.construct ?? 'props'}:${lines}`);
  }
}

/** Whether a number (possibly a token) is known to be above zero; false for tokens. */
export function knownPositive(value: number): boolean {
  return !Token.isUnresolved(value) && value > 0;
}
