import { z } from 'zod';
import { DatasetKeyError, validateChannelName as validateDatasetChannelName, validateDatasetId, versionPrefix } from '../catalog';
import { boundErrors, formatPath, quote, uniqueErrors } from './field-errors';
import { lineTerminatorAt } from '../../../contract/model-pattern';
import { reservedEnvironmentVariable, reservedHyperParameter } from '../../../contract/reserved-names';
import { CLIENT_TOKEN_MAX_LENGTH, CLIENT_TOKEN_PATTERN } from '../../../contract/launcher';
import { SHARED_AREA } from '../../../contract/tenant-directory';
import { MAX_RUNTIME_CEILING_SECONDS, SAGEMAKER_LIMITS } from '../../../contract/sagemaker-limits';
import { expandSweep, gridKeys, hyperParameterString, sweepSize } from './sweep';
import { DatasetChannelInputMode, DatasetChannelSource, DatasetChannelSplit } from '../../../contract/launch-request';
import type {
  LaunchRequestFieldError, S3ChannelInputMode, TrainingJobChannelRequest, TrainingJobCheckpointRequest, TrainingJobLaunchRequest,
  TrainingJobMetricDefinition, TrainingJobSweep,
} from '../../../contract/launch-request';

/** What the launcher's configuration allows; the request is checked against it. */
export interface RequestRules {
  /** The caller's tenant: channels read its datasets (or the shared ones). */
  readonly tenant: string;
  /** Whether the tenant may read the shared datasets. */
  readonly sharedDatasetsReadable: boolean;
  /** The instance types this tenant may use (the launcher's, narrowed by the tenant's). */
  readonly allowedInstanceTypes: readonly string[];
  /** ECR repository URIs (`<account>.dkr.ecr.<region>.<suffix>/<name>`). */
  readonly allowedImageRepositories: readonly string[];
  /** The construct's cap on MaxRuntimeInSeconds. */
  readonly maxRuntimeInSeconds: number;
  readonly maxJobs: number;
  readonly maxInstanceCount: number;
  /** The cap on a job's VolumeSizeInGB. */
  readonly maxVolumeSizeInGB: number;
  /** The cap on the instances of one request: jobs × instanceCount. */
  readonly maxInstancesPerRequest: number;
  /** Whether the launcher is wired to a dataset file system. */
  readonly fileSystemAvailable: boolean;
  /** The input mode of S3 channels that name none. */
  readonly s3InputMode: S3ChannelInputMode;
  /** How many tags the launcher adds to every job (users get the rest of the 50). */
  readonly platformTagCount: number;
  /** Tag keys with this prefix are the platform's. */
  readonly platformTagPrefix: string;
  /** Reserved hyperparameter and environment names (`sagemaker_*`, `LD_PRELOAD`…) requests may set anyway. */
  readonly allowedReservedNames: readonly string[];
}

export const DEFAULT_INSTANCE_COUNT = 1;
export const DEFAULT_VOLUME_SIZE_GB = 50;
/** The largest EBS training volume SageMaker attaches (16 TiB). */
export const MAX_VOLUME_SIZE_GB = 16384;
/** SageMaker's own default MaxRuntimeInSeconds (1 day); requests get min(this, the cap). */
export const DEFAULT_MAX_RUNTIME_SECONDS = 86400;
export const DEFAULT_CHECKPOINT_LOCAL_PATH = '/opt/ml/checkpoints';

// The validator and the contract's types (contract/launch-request.ts) are checked against each other
// at compile time: a field added to, removed from or retyped on one side only fails \`npm run typecheck\`.

/** The fields of `T` that a request must set. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/** `true` when `Listed` names every key of `T` and nothing else; otherwise what is missing or extra. */
type ListsExactly<Listed, T> = [Exclude<keyof T, Listed>, Exclude<Listed, keyof T>] extends [never, never] ? true
  : { readonly notValidated: Exclude<keyof T, Listed>; readonly notInContract: Exclude<Listed, keyof T> };
/** `true` when a schema's output has exactly the fields of the contract's `T` (their types are checked by assignment). */
type SameFields<Output, T> = ListsExactly<keyof Output, T>;

/** The request fields, in the order errors are reported. */
export const REQUEST_FIELDS = ['clientToken', 'datasetId', 'channels', 'trainingImage', 'instanceType', 'instanceCount', 'volumeSizeInGB',
  'maxRuntimeInSeconds', 'hyperparameters', 'environment', 'tags', 'sweep', 'checkpoints', 'useSpot', 'maxWaitTimeInSeconds', 'metricDefinitions'] as const;
/** The fields a request must set. */
export const REQUIRED_REQUEST_FIELDS = ['clientToken', 'datasetId', 'channels', 'trainingImage', 'instanceType'] as const;
/** The fields of a channel. */
export const CHANNEL_FIELDS = ['owner', 'datasetId', 'datasetChannel', 'version', 'source', 'inputMode', 'contentType', 'split'] as const;
const FIELDS = REQUEST_FIELDS;
const REQUIRED = new Set<string>(REQUIRED_REQUEST_FIELDS);

export const requestFieldsMatch: ListsExactly<(typeof REQUEST_FIELDS)[number], TrainingJobLaunchRequest> = true;
export const requiredFieldsMatch: ListsExactly<(typeof REQUIRED_REQUEST_FIELDS)[number], Pick<TrainingJobLaunchRequest, RequiredKeys<TrainingJobLaunchRequest>>> = true;
export const channelFieldsMatch: ListsExactly<(typeof CHANNEL_FIELDS)[number], TrainingJobChannelRequest> = true;

/** One field's checks: a schema, or shape checks ending with the schema whose output is the field's value. */
type FieldChecks<T> = z.ZodType<T> | [...z.ZodType[], z.ZodType<T>];
/** A schema for every field of the contract's request, each producing the contract's type for that field. */
type RequestSchemas = { readonly [K in keyof TrainingJobLaunchRequest]-?: FieldChecks<NonNullable<TrainingJobLaunchRequest[K]>> };

const hp = SAGEMAKER_LIMITS.hyperParameters;
const env = SAGEMAKER_LIMITS.environment;
const tagLimits = SAGEMAKER_LIMITS.tags;
const metricLimits = SAGEMAKER_LIMITS.metricDefinitions;

const channelLimits = SAGEMAKER_LIMITS.channels;
/**
 * `text` of at most `max` characters that matches `pattern`. The length check aborts the rest: a
 * pattern's repetition over a multi-megabyte string runs V8 out of backtracking stack ("Maximum
 * call stack size exceeded") instead of failing, so no pattern ever runs on an unbounded string.
 */
function boundedMatch(text: z.ZodString, max: number, tooLong: string, pattern: RegExp, mismatch: string): z.ZodString {
  return text.max(max, { message: tooLong, abort: true }).regex(pattern, mismatch);
}

const channelName = boundedMatch(z.string(), channelLimits.maxNameLength, `channel names are at most ${channelLimits.maxNameLength} characters`, channelLimits.namePattern, 'channel names are characters of A-Z, a-z, 0-9, ".", "-" and "_" (the container reads the channel at /opt/ml/input/data/<name>)');
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a number or a boolean' });

/**
 * A string SageMaker's model constrains with a `.`-pattern: no line terminators (CR, LF, U+0085,
 * U+2028, U+2029), which Java's `.` does not match and SageMaker therefore refuses.
 */
function singleLine(text: z.ZodString, what: string) {
  return text.superRefine((value, ctx) => {
    const at = lineTerminatorAt(value);
    if (at) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a single line: it has ${at} (SageMaker refuses CR, LF, U+0085, U+2028 and U+2029 here)` });
    }
  });
}

function hyperParameterKey(rules: Pick<RequestRules, 'allowedReservedNames'>) {
  return singleLine(z.string().min(1, 'hyperparameter names must not be empty')
    .max(hp.maxKeyLength, `hyperparameter names are at most ${hp.maxKeyLength} characters`), 'hyperparameter names')
    .superRefine((key, ctx) => {
      const reserved = reservedHyperParameter(key, rules.allowedReservedNames);
      if (reserved) {
        ctx.addIssue({ code: 'custom', message: reserved });
      }
    });
}
const hyperParameterValue = scalar.superRefine((value, ctx) => {
  const text = hyperParameterString(value);
  if (text.length > hp.maxValueLength) {
    ctx.addIssue({ code: 'custom', message: `is ${text.length} characters long; SageMaker accepts at most ${hp.maxValueLength} per hyperparameter value` });
  }
  const at = lineTerminatorAt(text);
  if (at) {
    ctx.addIssue({ code: 'custom', message: `must be a single line: it has ${at} (SageMaker refuses CR, LF, U+0085, U+2028 and U+2029 in hyperparameter values)` });
  }
});

function catalogName(check: (value: string) => string) {
  return z.string().superRefine((value, ctx) => {
    try {
      check(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof DatasetKeyError ? error.message : String(error) });
    }
  });
}

function objectOf(what: string) {
  return z.record(z.string(), z.unknown(), { error: `must be an object of ${what}` });
}

function hyperParameterMap(maxEntries: number, rules: Pick<RequestRules, 'allowedReservedNames'>) {
  return z.record(hyperParameterKey(rules), hyperParameterValue, { error: 'must be an object of hyperparameter names to values' })
    .refine((map) => Object.keys(map).length <= maxEntries,
      { error: (issue) => `has ${Object.keys(issue.input as object).length} hyperparameters; SageMaker accepts at most ${maxEntries}` });
}

function sweepSchema(rules: RequestRules) {
  const sweepValue = z.array(hyperParameterValue, { error: 'must be a list of values' })
    .min(1, 'must list at least one value')
    .max(rules.maxJobs, `lists more values than the ${rules.maxJobs} jobs a request may launch`);
  return z.strictObject({
    list: z.array(hyperParameterMap(hp.maxEntries, rules).refine((set) => Object.keys(set).length > 0, 'must set at least one hyperparameter'),
      { error: 'must be a list of hyperparameter sets' })
      .min(1, 'must list at least one hyperparameter set')
      .max(rules.maxJobs, `lists more sets than the ${rules.maxJobs} jobs a request may launch (maxJobsPerRequest)`),
    grid: z.record(hyperParameterKey(rules), sweepValue, { error: 'must be an object of hyperparameter names to lists of values' })
      .refine((grid) => Object.keys(grid).length > 0, 'must name at least one hyperparameter'),
  }, { error: 'must be an object with either "list" or "grid"' }).partial()
    .superRefine((sweep, ctx) => checkSweepDuplicates(sweep, ctx));
}

const checkpointSchema = z.strictObject({
  localPath: singleLine(z.string(), 'checkpoint paths').max(SAGEMAKER_LIMITS.checkpointLocalPath.maxLength)
    .refine((path) => path.startsWith('/') && !/\s/.test(path), 'must be an absolute path in the container, without spaces'),
}).partial();

const metricDefinitionSchema = z.strictObject({
  name: boundedMatch(z.string().min(metricLimits.name.min, 'must not be empty'), metricLimits.name.max, `is at most ${metricLimits.name.max} characters`, metricLimits.name.pattern, 'must be one line (no line breaks)'),
  regex: boundedMatch(z.string().min(metricLimits.regex.min, 'must not be empty'), metricLimits.regex.max, `is at most ${metricLimits.regex.max} characters`, metricLimits.regex.pattern, 'must be one line (no line breaks)')
    .superRefine((regex, ctx) => {
      const problem = metricRegexProblem(regex);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
}, { error: 'must be an object { "name": …, "regex": … }' });

// The nested objects have exactly the contract's fields too (the RequestSchemas type checks the values' types).
export const sweepFieldsMatch: SameFields<z.output<ReturnType<typeof sweepSchema>>, TrainingJobSweep> = true;
export const checkpointFieldsMatch: SameFields<z.output<typeof checkpointSchema>, TrainingJobCheckpointRequest> = true;
export const metricDefinitionFieldsMatch: SameFields<z.output<typeof metricDefinitionSchema>, TrainingJobMetricDefinition> = true;
export const channelSchemaFieldsMatch: SameFields<z.output<ReturnType<typeof channelSchema>>, TrainingJobChannelRequest> = true;

/** The schema of each top-level field, built from the launcher's rules. */
function fieldSchemas(rules: RequestRules): RequestSchemas {
  const userTagLimit = tagLimits.max - rules.platformTagCount;
  return {
    clientToken: boundedMatch(z.string().min(1, 'must not be empty'), CLIENT_TOKEN_MAX_LENGTH, `is at most ${CLIENT_TOKEN_MAX_LENGTH} characters (a UUID fits)`, CLIENT_TOKEN_PATTERN, 'must be letters, digits and hyphens, starting and ending with a letter or digit (a UUID fits)'),
    datasetId: catalogName(validateDatasetId),
    channels: [
      objectOf('channel names to channel settings').superRefine((channels, ctx) => {
        const count = Object.keys(channels).length;
        if (count < channelLimits.min || count > channelLimits.max) {
          ctx.addIssue({ code: 'custom', message: `has ${count} channels; a training job takes ${channelLimits.min} to ${channelLimits.max}` });
        }
      }),
      z.record(channelName, channelSchema(rules), { error: 'must be an object of channel names to channel settings' }),
    ],
    trainingImage: singleLine(z.string(), 'image URIs')
      .max(SAGEMAKER_LIMITS.trainingImage.maxLength, `is at most ${SAGEMAKER_LIMITS.trainingImage.maxLength} characters`)
      .superRefine((image, ctx) => {
        const problem = imageProblem(image, rules.allowedImageRepositories);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: problem });
        }
      }),
    instanceType: z.string().refine((type) => rules.allowedInstanceTypes.includes(type),
      { error: (issue) => `${quote(issue.input)} is not allowed on this platform; use one of ${rules.allowedInstanceTypes.join(', ')}` }),
    instanceCount: z.number().int('must be a whole number')
      .min(1, 'must be at least 1').max(rules.maxInstanceCount, `is at most ${rules.maxInstanceCount} on this platform`),
    volumeSizeInGB: z.number().int('must be a whole number')
      .min(1, 'must be at least 1').max(Math.min(rules.maxVolumeSizeInGB, MAX_VOLUME_SIZE_GB),
        `is at most ${Math.min(rules.maxVolumeSizeInGB, MAX_VOLUME_SIZE_GB)} GB on this platform (the launcher's maxVolumeSizeInGB; SageMaker's limit is ${MAX_VOLUME_SIZE_GB})`),
    maxRuntimeInSeconds: z.number().int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(rules.maxRuntimeInSeconds, `is at most ${rules.maxRuntimeInSeconds} seconds on this platform (the launcher's maxRuntime)`),
    hyperparameters: hyperParameterMap(hp.maxEntries, rules),
    environment: z.record(
      boundedMatch(z.string(), env.maxKeyLength, `environment variable names are at most ${env.maxKeyLength} characters`, env.keyPattern, 'environment variable names start with a letter or "_" and continue with letters, digits or "_"')
        .superRefine((key, ctx) => {
          const reserved = reservedEnvironmentVariable(key, rules.allowedReservedNames);
          if (reserved) {
            ctx.addIssue({ code: 'custom', message: reserved });
          }
        }),
      z.string().max(env.maxValueLength, `environment values are at most ${env.maxValueLength} characters`),
      { error: 'must be an object of variable names to string values' },
    ).refine((map) => Object.keys(map).length <= env.maxEntries,
      { error: (issue) => `has ${Object.keys(issue.input as object).length} variables; SageMaker accepts at most ${env.maxEntries}` }),
    tags: z.record(
      boundedMatch(z.string().min(1, 'tag keys must not be empty'), tagLimits.maxKeyLength, `tag keys are at most ${tagLimits.maxKeyLength} characters`, tagLimits.pattern, 'tag keys are letters, digits, spaces and _ . : / = + - @')
        .refine((key) => !key.toLowerCase().startsWith('aws:'), 'tag keys starting with "aws:" are reserved by AWS')
        .refine((key) => !key.startsWith(rules.platformTagPrefix), `tag keys starting with "${rules.platformTagPrefix}" are set by the platform`),
      boundedMatch(z.string(), tagLimits.maxValueLength, `tag values are at most ${tagLimits.maxValueLength} characters`, tagLimits.pattern, 'tag values are letters, digits, spaces and _ . : / = + - @'),
      { error: 'must be an object of tag keys to string values' },
    ).refine((map) => Object.keys(map).length <= userTagLimit,
      { error: (issue) => `has ${Object.keys(issue.input as object).length} tags; at most ${userTagLimit} (SageMaker's ${tagLimits.max} minus the platform's ${rules.platformTagCount})` }),
    sweep: [
      z.looseObject({ list: z.array(z.unknown()).optional(), grid: z.record(z.string(), z.array(z.unknown())).optional() },
        { error: 'must be an object with either "list" or "grid"' })
        .superRefine((sweep, ctx) => checkSweepShape(sweep as TrainingJobSweep, rules, ctx)),
      sweepSchema(rules),
    ],
    checkpoints: z.union([z.literal(true), checkpointSchema], { error: 'must be true or an object { "localPath": "/opt/ml/checkpoints" }' })
      // `true` is shorthand for every default: the validated request holds the contract's object.
      .transform((checkpoints): TrainingJobCheckpointRequest => (checkpoints === true ? {} : checkpoints)),
    useSpot: z.boolean({ error: 'must be true or false' }),
    maxWaitTimeInSeconds: z.number().int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(MAX_RUNTIME_CEILING_SECONDS, `is at most ${MAX_RUNTIME_CEILING_SECONDS} seconds (28 days)`),
    metricDefinitions: z.array(metricDefinitionSchema, { error: 'must be a list of { "name", "regex" } objects' })
      .max(metricLimits.maxDefinitions, `lists more than the ${metricLimits.maxDefinitions} metric definitions SageMaker accepts`)
      .superRefine((definitions, ctx) => {
        const firstAt = new Map<string, number>();
        definitions.forEach((definition, index) => {
          const first = firstAt.get(definition.name);
          if (first !== undefined) {
            ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `repeats the name of metricDefinitions[${first}]; metric names are unique` });
          }
          firstAt.set(definition.name, first ?? index);
        });
      }),
  };
}

/**
 * Why a metric regex is refused: SageMaker reads the metric's value from the first capturing
 * group, so a regex must compile and have one. (SageMaker uses Python's `re`; JavaScript's syntax
 * agrees on the common subset.)
 */
export function metricRegexProblem(regex: string): string | undefined {
  let groups: number;
  try {
    groups = new RegExp(`${regex}|`).exec('')!.length - 1;
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
  return groups === 0 ? 'has no capturing group; SageMaker reads the value from the first group, e.g. "loss: ([0-9.eE+-]+)"' : undefined;
}

function channelSchema(rules: RequestRules) {
  return z.strictObject({
    owner: z.string().superRefine((owner, ctx) => {
      if (owner === SHARED_AREA && !rules.sharedDatasetsReadable) {
        ctx.addIssue({ code: 'custom', message: `tenant "${rules.tenant}" does not read the shared datasets; use its own datasets (leave out "owner")` });
      } else if (owner !== SHARED_AREA && owner !== rules.tenant) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(owner)} is not allowed: tenant "${rules.tenant}" reads only its own datasets ` +
          `("${rules.tenant}", the default)${rules.sharedDatasetsReadable ? ` and the platform's ("${SHARED_AREA}")` : ''}` });
      }
    }),
    datasetId: catalogName(validateDatasetId),
    datasetChannel: catalogName(validateDatasetChannelName),
    version: z.string().superRefine((version, ctx) => {
      try {
        versionPrefix({ tenant: 'x', datasetId: 'x', channel: 'x' }, version);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
    source: z.enum(DatasetChannelSource, { error: `must be ${oneOf(Object.values(DatasetChannelSource))}` }),
    inputMode: z.enum(DatasetChannelInputMode, { error: `must be ${oneOf(Object.values(DatasetChannelInputMode))}` }),
    contentType: singleLine(z.string(), 'content types').max(SAGEMAKER_LIMITS.contentType.maxLength, `is at most ${SAGEMAKER_LIMITS.contentType.maxLength} characters`),
    split: z.enum(DatasetChannelSplit, { error: `must be ${oneOf(Object.values(DatasetChannelSplit))}` }),
  }, { error: `must be an object of channel settings (${CHANNEL_FIELDS.join(', ')})` })
    .partial()
    .superRefine((channel, ctx) => {
      const source = channel.source ?? defaultSource(rules);
      if (source === DatasetChannelSource.FILE_SYSTEM && !rules.fileSystemAvailable) {
        ctx.addIssue({ code: 'custom', path: ['source'], message: 'this platform has no dataset file system (it reads datasets from S3); use "s3" or leave source out' });
      }
      if (source === DatasetChannelSource.FILE_SYSTEM && channel.inputMode !== undefined && channel.inputMode !== DatasetChannelInputMode.FILE) {
        ctx.addIssue({ code: 'custom', path: ['inputMode'], message: `${channel.inputMode} reads S3 only; file-system channels use File mode (or set source to "s3")` });
      }
    });
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
function oneOf(values: readonly string[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** The source a channel gets when it names none. */
export function defaultSource(rules: Pick<RequestRules, 'fileSystemAvailable'>): DatasetChannelSource {
  return rules.fileSystemAvailable ? DatasetChannelSource.FILE_SYSTEM : DatasetChannelSource.S3;
}

/** The input mode a channel reading `source` gets when it names none. */
export function defaultInputMode(source: DatasetChannelSource, rules: Pick<RequestRules, 's3InputMode'>): DatasetChannelInputMode {
  return source === DatasetChannelSource.S3 ? rules.s3InputMode : DatasetChannelInputMode.FILE;
}

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Why an image URI is refused, or undefined: it must be `<allowed repository URI>:<tag>` or `@sha256:<digest>`. */
export function imageProblem(image: string, repositories: readonly string[]): string | undefined {
  const repository = repositories.find((uri) => image.startsWith(`${uri}:`) || image.startsWith(`${uri}@`));
  if (!repository) {
    return `${quote(image)} is not in an allowed ECR repository; use <repository URI>:<tag> or <repository URI>@sha256:<digest> with one of: ${repositories.join(', ') || '(none configured)'}`;
  }
  const reference = image.slice(repository.length + 1);
  const valid = image[repository.length] === ':' ? IMAGE_TAG.test(reference) : IMAGE_DIGEST.test(reference);
  return valid ? undefined : `${quote(reference)} is not a valid image ${image[repository.length] === ':' ? 'tag' : 'digest (sha256:<64 hex digits>)'}`;
}

function checkSweepShape(sweep: TrainingJobSweep, rules: RequestRules, ctx: z.RefinementCtx): void {
  if ((sweep.list !== undefined) === (sweep.grid !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'must have exactly one of "list" (explicit hyperparameter sets) and "grid" (cartesian product)' });
    return;
  }
  if (sweep.grid !== undefined) {
    const size = sweepSize(sweep, rules.maxJobs);
    if (size > rules.maxJobs) {
      const counts = gridKeys(sweep.grid).map((key) => `${key}: ${sweep.grid![key].length}`).join(' × ');
      ctx.addIssue({ code: 'custom', path: ['grid'], message: `expands to more than ${rules.maxJobs} jobs (${counts}); ` +
        `the launcher allows ${rules.maxJobs} per request (maxJobsPerRequest)` });
    }
  }
}

function checkSweepDuplicates(sweep: TrainingJobSweep, ctx: z.RefinementCtx): void {
  if (sweep.grid !== undefined && sweep.list === undefined) {
    for (const key of gridKeys(sweep.grid)) {
      const firstAt = new Map<string, number>();
      sweep.grid[key].forEach((value, index) => {
        const text = hyperParameterString(value);
        const first = firstAt.get(text);
        if (first === undefined) {
          firstAt.set(text, index);
        } else {
          ctx.addIssue({ code: 'custom', path: ['grid', key, index], message: `repeats ${quote(text)} from index ${first}; list each value once` });
        }
      });
    }
  }
  if (sweep.list !== undefined && sweep.grid === undefined) {
    const firstAt = new Map<string, number>();
    for (const point of expandSweep(sweep)) {
      const text = JSON.stringify(Object.entries(point.overrides).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const first = firstAt.get(text);
      if (first === undefined) {
        firstAt.set(text, point.index);
      } else {
        ctx.addIssue({ code: 'custom', path: ['list', point.index], message: `is the same set as list[${first}]; to run it twice, add a distinguishing hyperparameter such as a seed` });
      }
    }
  }
}

/** The outcome of validating a request. */
export type RequestValidation =
  | { readonly ok: true; readonly request: TrainingJobLaunchRequest }
  | { readonly ok: false; readonly errors: readonly LaunchRequestFieldError[] };

/**
 * Validates a launch request against SageMaker's limits and the launcher's rules. Every problem is
 * reported at once, each with its field path: the fields are checked one by one (a bad field never
 * hides another), then the checks that span fields run on the fields that passed.
 */
export function validateLaunchRequest(input: unknown, rules: RequestRules): RequestValidation {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: 'request', message: 'must be a JSON object' }] };
  }
  const raw = input as Record<string, unknown>;
  const errors: LaunchRequestFieldError[] = prototypeKeyErrors(raw);
  for (const key of Object.keys(raw)) {
    if (!(FIELDS as readonly string[]).includes(key) && !PROTOTYPE_KEYS.has(key)) {
      errors.push({ path: formatPath([key]), message: `is not a request field; the fields are ${FIELDS.join(', ')}` });
    }
  }
  const schemas = fieldSchemas(rules);
  const parsed: Record<string, unknown> = {};
  const valid = new Set<string>();
  for (const field of FIELDS) {
    if (raw[field] === undefined) {
      if (REQUIRED.has(field)) {
        errors.push({ path: field, message: 'is required' });
      }
      continue;
    }
    const checks = ([] as z.ZodType[]).concat(schemas[field]);
    let ok = true;
    let value: unknown;
    for (const schema of checks) {
      const result = schema.safeParse(raw[field]);
      if (result.success) {
        value = result.data;
      } else {
        ok = false;
        errors.push(...result.error.issues.flatMap((issue) => issueErrors([field], issue)));
      }
    }
    if (ok) {
      parsed[field] = value;
      valid.add(field);
    }
  }
  errors.push(...crossFieldErrors(parsed as Partial<TrainingJobLaunchRequest>, valid, rules, raw));
  if (errors.length > 0) {
    return { ok: false, errors: boundErrors(uniqueErrors(errors)) };
  }
  return { ok: true, request: parsed as unknown as TrainingJobLaunchRequest };
}

/**
 * Keys that name an object's prototype machinery. JSON.parse makes `"__proto__"` an ordinary key,
 * but copying it into a new object sets the prototype instead, so a schema would silently drop it
 * (a job created without that hyperparameter, or "0 channels"); they are refused wherever they occur.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any valid request nests (sweep.list[i].key is 4 levels). */
const MAX_DEPTH = 16;

function prototypeKeyErrors(request: Record<string, unknown>): LaunchRequestFieldError[] {
  const errors: LaunchRequestFieldError[] = [];
  const visit = (value: unknown, path: PropertyKey[]): void => {
    if (value === null || typeof value !== 'object' || path.length > MAX_DEPTH) {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index]));
      return;
    }
    for (const key of Object.keys(value)) {
      if (PROTOTYPE_KEYS.has(key)) {
        errors.push({ path: formatPath([...path, key]), message: `is not allowed: "${key}" is reserved by JavaScript objects and would be dropped; rename it` });
      } else {
        visit((value as Record<string, unknown>)[key], [...path, key]);
      }
    }
  };
  visit(request, []);
  return errors;
}

function crossFieldErrors(request: Partial<TrainingJobLaunchRequest>, valid: ReadonlySet<string>, rules: RequestRules, raw: Record<string, unknown>): LaunchRequestFieldError[] {
  const errors: LaunchRequestFieldError[] = [];
  if ((valid.has('sweep') || request.sweep === undefined) && (valid.has('instanceCount') || request.instanceCount === undefined)) {
    const jobs = sweepSize(request.sweep, rules.maxJobs);
    const count = request.instanceCount ?? DEFAULT_INSTANCE_COUNT;
    if (jobs <= rules.maxJobs && jobs * count > rules.maxInstancesPerRequest) {
      errors.push({ path: count > 1 ? 'instanceCount' : 'sweep', message: `makes ${jobs} job${jobs === 1 ? '' : 's'} × ${count} instance${count === 1 ? '' : 's'} = ` +
        `${jobs * count} instances; this platform allows at most ${rules.maxInstancesPerRequest} per request (the launcher's maxInstancesPerRequest): launch fewer jobs or fewer instances each` });
    }
  }
  if (request.useSpot === true && raw.checkpoints === undefined) {
    errors.push({ path: 'checkpoints', message: 'is required with useSpot: SageMaker resumes an interrupted spot job from its checkpoints; set "checkpoints": true and write them to /opt/ml/checkpoints' });
  }
  if (request.maxWaitTimeInSeconds !== undefined && valid.has('maxWaitTimeInSeconds')) {
    if (request.useSpot !== true && (valid.has('useSpot') || raw.useSpot === undefined)) {
      errors.push({ path: 'maxWaitTimeInSeconds', message: 'applies to spot training only; set "useSpot": true or leave it out' });
    } else if (request.useSpot === true) {
      const runtime = request.maxRuntimeInSeconds ?? Math.min(DEFAULT_MAX_RUNTIME_SECONDS, rules.maxRuntimeInSeconds);
      if ((valid.has('maxRuntimeInSeconds') || request.maxRuntimeInSeconds === undefined) && request.maxWaitTimeInSeconds < runtime) {
        errors.push({ path: 'maxWaitTimeInSeconds', message: `is ${request.maxWaitTimeInSeconds}; it must be at least the job's MaxRuntimeInSeconds (${runtime}), which it includes` });
      }
    }
  }
  if (valid.has('channels')) {
    for (const [name, channel] of Object.entries(request.channels!)) {
      if (channel.datasetChannel === undefined) {
        try {
          validateDatasetChannelName(name);
        } catch {
          errors.push({ path: formatPath(['channels', name, 'datasetChannel']), message: `is required: the channel name ${JSON.stringify(name)} ` +
            'is not a dataset channel name (a letter or digit followed by up to 63 letters, digits, "-" or "_"), so it cannot default to it' });
        }
      }
    }
  }
  if (valid.has('sweep') && (valid.has('hyperparameters') || request.hyperparameters === undefined)) {
    const base = Object.keys(request.hyperparameters ?? {});
    if (sweepSize(request.sweep, rules.maxJobs) <= rules.maxJobs) {
      for (const point of expandSweep(request.sweep)) {
        const count = new Set([...base, ...Object.keys(point.overrides)]).size;
        if (count > hp.maxEntries) {
          const path = point.origin.startsWith('sweep.list') ? point.origin : 'sweep.grid';
          errors.push({ path, message: `gives job ${point.index} ${count} hyperparameters with the base hyperparameters; SageMaker accepts at most ${hp.maxEntries}` });
          break;
        }
      }
    }
  }
  return errors;
}

/** Turns one zod issue into field errors with readable paths and messages. */
function issueErrors(prefix: readonly PropertyKey[], issue: z.core.$ZodIssue): LaunchRequestFieldError[] {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = prefix[0] === 'channels' ? CHANNEL_FIELDS : prefix[0] === 'sweep' ? ['list', 'grid'] : undefined;
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: `is not a known field${allowed ? `; use ${allowed.join(', ')}` : ''}` }));
    }
    case 'invalid_key':
      return issue.issues.map((inner) => ({ path: formatPath(path), message: `invalid key: ${inner.message}` }));
    case 'invalid_type': {
      const match = /expected (\w+), received (\w+)/.exec(issue.message);
      return [{ path: formatPath(path), message: match ? `must be ${article(match[1])} (got ${match[2]})` : issue.message }];
    }
    default:
      return [{ path: formatPath(path), message: issue.message }];
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
