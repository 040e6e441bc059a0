import { JAVA_DOT, LINE_TERMINATORS, modelPattern } from '../../../lambda/src/launcher';
import { ServiceModel, anchoredPattern } from './botocore-model';
import { IMAGE, REPOSITORY_URI, validRequest } from './fixtures';

/** One malformed request: what it breaks, the request, and the field path its rejection must name. */
export interface MalformedCase {
  readonly name: string;
  readonly request: Record<string, unknown>;
  /** The rejection names this path (or a path below it). */
  readonly path: string;
  /** The model shape the bad value violates, and the value (checked against the model itself). */
  readonly violates?: { readonly shape: string; readonly value: string };
}

/** A string field of a launch request that SageMaker's model constrains with a shape. */
interface StringSlot {
  readonly name: string;
  readonly shape: string;
  /** A value that is valid there. */
  readonly valid: string;
  /** The request overrides that put `value` there. */
  readonly put: (value: string) => Record<string, unknown>;
  /** The path a rejection names. */
  readonly path: string;
  /** Whether `value` is a key (its path is the record's, then the quoted key). */
  readonly key?: boolean;
}

const SLOTS: readonly StringSlot[] = [
  { name: 'hyperparameter value', shape: 'HyperParameterValue', valid: 'resnet50', path: 'hyperparameters.model', put: (v) => ({ hyperparameters: { epochs: 10, model: v } }) },
  { name: 'hyperparameter name', shape: 'HyperParameterKey', valid: 'model_name', path: 'hyperparameters', key: true, put: (v) => ({ hyperparameters: { epochs: 10, [v]: 1 } }) },
  { name: 'grid value', shape: 'HyperParameterValue', valid: 'adam', path: 'sweep.grid.optimizer[1]', put: (v) => ({ sweep: { grid: { optimizer: ['sgd', v] } } }) },
  { name: 'grid name', shape: 'HyperParameterKey', valid: 'optimizer', path: 'sweep.grid', key: true, put: (v) => ({ sweep: { grid: { [v]: ['sgd'] } } }) },
  { name: 'sweep list value', shape: 'HyperParameterValue', valid: 'adam', path: 'sweep.list[0].optimizer', put: (v) => ({ sweep: { list: [{ optimizer: v }] } }) },
  { name: 'sweep list name', shape: 'HyperParameterKey', valid: 'optimizer', path: 'sweep.list[0]', key: true, put: (v) => ({ sweep: { list: [{ [v]: 'adam' }] } }) },
  { name: 'channel content type', shape: 'ContentType', valid: 'application/x-tfrecord', path: 'channels.training.contentType', put: (v) => ({ channels: { training: { contentType: v }, evaluation: {} } }) },
  { name: 'training image', shape: 'AlgorithmImage', valid: IMAGE, path: 'trainingImage', put: (v) => ({ trainingImage: v }) },
  { name: 'checkpoint local path', shape: 'DirectoryPath', valid: '/opt/ml/checkpoints', path: 'checkpoints.localPath', put: (v) => ({ checkpoints: { localPath: v } }) },
  { name: 'environment name', shape: 'TrainingEnvironmentKey', valid: 'WANDB_MODE', path: 'environment', key: true, put: (v) => ({ environment: { [v]: 'offline' } }) },
  { name: 'environment value', shape: 'TrainingEnvironmentValue', valid: 'offline', path: 'environment.WANDB_MODE', put: (v) => ({ environment: { WANDB_MODE: v } }) },
  { name: 'tag key', shape: 'TagKey', valid: 'team', path: 'tags', key: true, put: (v) => ({ tags: { [v]: 'vision' } }) },
  { name: 'tag value', shape: 'TagValue', valid: 'vision', path: 'tags.team', put: (v) => ({ tags: { team: v } }) },
  { name: 'channel name', shape: 'ChannelName', valid: 'training', path: 'channels', key: true, put: (v) => ({ channels: { [v]: { datasetChannel: 'training' } } }) },
];

/** Characters tried against each non-`.` pattern; the model decides which ones are invalid. */
const CANDIDATE_CHARACTERS = ['#', '!', '*', '~', '"', '\\', '$', '\n', '\t', '\u0000', '\u0085', '\u2028', '\u{1F600}'];

const NAMES: Record<string, string> = { '\r': 'CR', '\n': 'LF', '\u0085': 'U+0085', '\u2028': 'U+2028', '\u2029': 'U+2029' };

/** A value of `length` characters that starts like `valid` (valid characters only). */
function lengthened(slot: StringSlot, length: number): string {
  return slot.valid.padEnd(length, slot.shape === 'TrainingEnvironmentKey' ? '_' : 'a');
}

/**
 * Cases generated from the model: for every slot, each line terminator inside and at the end of a
 * `.`-pattern value; one character over the maximum length; every candidate character the slot's
 * pattern refuses.
 */
export function modelCases(model: ServiceModel): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const add = (slot: StringSlot, what: string, value: string) => cases.push({
    name: `${slot.name}: ${what}`,
    request: validRequest(slot.put(value)),
    path: slot.path,
    violates: { shape: slot.shape, value },
  });
  for (const slot of SLOTS) {
    const shape = model.shapes[slot.shape];
    const usesDot = shape.pattern !== undefined && modelPattern(shape.pattern).source.includes(JAVA_DOT);
    if (usesDot) {
      const middle = Math.max(1, Math.floor(slot.valid.length / 2));
      for (const terminator of LINE_TERMINATORS) {
        add(slot, `${NAMES[terminator]} inside`, `${slot.valid.slice(0, middle)}${terminator}${slot.valid.slice(middle)}`);
        add(slot, `${NAMES[terminator]} at the end`, `${slot.valid}${terminator}`);
      }
    }
    if (shape.max !== undefined && !(slot.shape === 'AlgorithmImage')) {
      add(slot, `${shape.max + 1} characters (max ${shape.max})`, lengthened(slot, shape.max + 1));
    }
    if (shape.pattern && !usesDot) {
      const pattern = anchoredPattern(shape.pattern);
      for (const character of CANDIDATE_CHARACTERS) {
        const value = `${slot.valid}${character}`;
        if (!pattern.test(value)) {
          add(slot, `${JSON.stringify(character)} (outside ${shape.pattern})`, value);
        }
      }
    }
  }
  cases.push({
    name: 'training image: 256 characters (max 255)',
    request: validRequest({ trainingImage: `${REPOSITORY_URI}:${'t'.repeat(255 - REPOSITORY_URI.length)}` }),
    path: 'trainingImage',
    violates: { shape: 'AlgorithmImage', value: `${REPOSITORY_URI}:${'t'.repeat(255 - REPOSITORY_URI.length)}` },
  });
  return cases;
}

/** Where a record is accepted, and how to put a key there. */
const RECORDS: ReadonlyArray<[string, (key: string) => Record<string, unknown>]> = [
  ['request', (key) => JSON.parse(`{"${key}": {}}`)],
  ['hyperparameters', (key) => ({ hyperparameters: JSON.parse(`{"epochs": 10, "${key}": 1}`) })],
  ['environment', (key) => ({ environment: JSON.parse(`{"${key}": "x"}`) })],
  ['tags', (key) => ({ tags: JSON.parse(`{"${key}": "x"}`) })],
  ['channels', (key) => ({ channels: JSON.parse(`{"training": {}, "${key}": {"datasetChannel": "training"}}`) })],
  ['channels.training', (key) => ({ channels: JSON.parse(`{"training": {"${key}": "s3"}}`) })],
  ['sweep', (key) => ({ sweep: JSON.parse(`{"grid": {"lr": [1]}, "${key}": {}}`) })],
  ['sweep.grid', (key) => ({ sweep: { grid: JSON.parse(`{"lr": [1], "${key}": [2]}`) } })],
  ['sweep.list[0]', (key) => ({ sweep: { list: [JSON.parse(`{"lr": 1, "${key}": 2}`)] } })],
  ['checkpoints', (key) => ({ checkpoints: JSON.parse(`{"${key}": "/x"}`) })],
];

/** Prototype keys wherever a record is accepted (JSON.parse makes them own keys, as a Lambda event's are). */
export function prototypeKeyCases(): MalformedCase[] {
  return ['__proto__', 'constructor', 'prototype'].flatMap((key) => RECORDS.map(([where, put]) => {
    const overrides = put(key);
    // The request record itself: merge the key into a valid request without losing it.
    const request = where === 'request' ? Object.assign(JSON.parse(`{"${key}": {}}`), validRequest()) : validRequest(overrides);
    return { name: `${key} in ${where}`, request, path: where === 'request' ? key : `${where}.${key}` };
  }));
}

/** Reserved names in every place a name is accepted. */
export function reservedNameCases(): MalformedCase[] {
  const environment = ['SAGEMAKER_PROGRAM', 'sagemaker_region', 'SM_MODEL_DIR', 'AWS_ENDPOINT_URL_S3', 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'LD_PRELOAD', 'LD_LIBRARY_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'NODE_OPTIONS', 'BASH_ENV', 'HTTPS_PROXY', 'JAVA_TOOL_OPTIONS', 'PATH'];
  const hyperparameters = ['sagemaker_program', 'sagemaker_submit_directory', 'SageMaker_Region'];
  return [
    ...environment.map((name) => ({ name: `environment ${name}`, request: validRequest({ environment: { [name]: 'x' } }), path: `environment.${name}` })),
    ...hyperparameters.map((name) => ({ name: `hyperparameter ${name}`, request: validRequest({ hyperparameters: { [name]: 'x' } }), path: `hyperparameters.${name}` })),
    { name: 'grid hyperparameter sagemaker_program', request: validRequest({ sweep: { grid: { sagemaker_program: ['a.py', 'b.py'] } } }), path: 'sweep.grid.sagemaker_program' },
    { name: 'list hyperparameter sagemaker_program', request: validRequest({ sweep: { list: [{ sagemaker_program: 'a.py' }] } }), path: 'sweep.list[0].sagemaker_program' },
  ];
}

/** Hand-written: types, ranges, the launcher's own rules, and requests built to make the response huge. */
export function handWrittenCases(): MalformedCase[] {
  const huge = 'x'.repeat(5 * 1024 * 1024);
  const c = (name: string, overrides: Record<string, unknown>, path: string): MalformedCase => ({ name, request: validRequest(overrides), path });
  return [
    c('clientToken with a newline', { clientToken: 'abc\ndef' }, 'clientToken'),
    c('clientToken with U+2028', { clientToken: 'abc\u2028def' }, 'clientToken'),
    c('clientToken of 5 MB', { clientToken: huge }, 'clientToken'),
    c('datasetId with a newline', { datasetId: 'cats\n' }, 'datasetId'),
    c('datasetId climbing out', { datasetId: '..' }, 'datasetId'),
    c('channel datasetId with a slash', { channels: { training: { datasetId: 'a/b' } } }, 'channels.training.datasetId'),
    c('channel version with a newline', { channels: { training: { version: 'v20261122T115526Z-0123456789ab\n' } } }, 'channels.training.version'),
    c('channel version climbing out', { channels: { training: { version: '../../x' } } }, 'channels.training.version'),
    c('instance type of 5 MB', { instanceType: huge }, 'instanceType'),
    c('datasetId of 5 MB', { datasetId: huge }, 'datasetId'),
    c('channel datasetChannel of 5 MB', { channels: { training: { datasetChannel: huge } } }, 'channels.training.datasetChannel'),
    c('channel version of 5 MB', { channels: { training: { version: huge } } }, 'channels.training.version'),
    c('channel name of 5 MB', { channels: { [huge]: { datasetChannel: 'training' } } }, 'channels'),
    c('content type of 5 MB', { channels: { training: { contentType: huge } } }, 'channels.training.contentType'),
    c('environment name of 5 MB', { environment: { [huge]: 'x' } }, 'environment'),
    c('environment value of 5 MB', { environment: { X: huge } }, 'environment.X'),
    c('tag key of 5 MB', { tags: { [huge]: 'x' } }, 'tags'),
    c('tag value of 5 MB', { tags: { team: huge } }, 'tags.team'),
    c('checkpoint path of 5 MB', { checkpoints: { localPath: `/${huge}` } }, 'checkpoints.localPath'),
    c('grid value of 5 MB', { sweep: { grid: { a: [1, huge] } } }, 'sweep.grid.a[1]'),
    c('instance type with a newline', { instanceType: 'ml.g5.xlarge\n' }, 'instanceType'),
    c('training image of 5 MB', { trainingImage: huge }, 'trainingImage'),
    c('training image from another registry', { trainingImage: 'public.ecr.aws/x/y:1' }, 'trainingImage'),
    c('hyperparameter value of 5 MB', { hyperparameters: { notes: huge } }, 'hyperparameters.notes'),
    c('hyperparameter name of 5 MB', { hyperparameters: { [huge]: 1 } }, 'hyperparameters'),
    c('unknown top-level field of 5 MB', { [huge]: 1 }, 'request'),
    c('100,000 bad environment names', { environment: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`${i}-bad`, 'x'])) }, 'environment'),
    c('instanceCount NaN-like string', { instanceCount: 'NaN' }, 'instanceCount'),
    c('instanceCount negative', { instanceCount: -1 }, 'instanceCount'),
    c('instanceCount Infinity', { instanceCount: Number.POSITIVE_INFINITY }, 'instanceCount'),
    c('volume fractional', { volumeSizeInGB: 10.5 }, 'volumeSizeInGB'),
    c('volume as string', { volumeSizeInGB: '100' }, 'volumeSizeInGB'),
    c('runtime negative', { maxRuntimeInSeconds: -5 }, 'maxRuntimeInSeconds'),
    c('runtime over the platform cap', { maxRuntimeInSeconds: 10 * 86400 }, 'maxRuntimeInSeconds'),
    c('hyperparameter value an array', { hyperparameters: { lr: [0.1] } }, 'hyperparameters.lr'),
    c('environment value a number', { environment: { X: 1 } }, 'environment.X'),
    c('tag value an object', { tags: { team: { a: 1 } } }, 'tags.team'),
    c('tag key aws:', { tags: { 'aws:createdBy': 'me' } }, 'tags'),
    c('tag key with the platform prefix', { tags: { 'cdk-sagemaker-datasets:sweep': 'x' } }, 'tags'),
    c('channels null', { channels: null }, 'channels'),
    c('sweep with both list and grid', { sweep: { list: [{ a: 1 }], grid: { b: [1] } } }, 'sweep'),
    c('sweep grid of 51 jobs', { sweep: { grid: { a: Array.from({ length: 51 }, (_, i) => i) } } }, 'sweep.grid'),
    c('checkpoints false', { checkpoints: false }, 'checkpoints'),
    c('checkpoints relative path', { checkpoints: { localPath: 'ckpt' } }, 'checkpoints.localPath'),
  ];
}
