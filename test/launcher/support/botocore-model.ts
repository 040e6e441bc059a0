import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { modelPattern } from '../../../contract/model-pattern';

/** A shape of a botocore service model (the fields the checks read). */
interface Shape {
  readonly type: string;
  readonly required?: string[];
  readonly members?: Record<string, { shape: string }>;
  readonly member?: { shape: string };
  readonly key?: { shape: string };
  readonly value?: { shape: string };
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: string[];
}

export interface ServiceModel {
  readonly shapes: Record<string, Shape>;
  readonly operations: Record<string, { input?: { shape: string } }>;
}

/** Where the installed botocore keeps its data, or why it cannot be found. */
function botocoreDataDir(): { dir?: string; problem?: string } {
  const python = spawnSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' });
  if (python.error) {
    return { problem: 'python3 is not installed' };
  }
  if (python.status !== 0) {
    return { problem: `botocore is not importable by python3 (${python.stderr.trim().split('\n').pop()})` };
  }
  return { dir: join(python.stdout.trim(), 'data') };
}

/** A service's API model (its newest version) from the installed botocore, or the reason it is unavailable. */
export function loadBotocoreModel(service: string): { model?: ServiceModel; problem?: string } {
  const { dir, problem } = botocoreDataDir();
  if (!dir) return { problem };
  const serviceDir = join(dir, service);
  if (!existsSync(serviceDir)) return { problem: `botocore has no ${service} model in ${serviceDir}` };
  const version = readdirSync(serviceDir).filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort().pop();
  const base = join(serviceDir, version ?? '', 'service-2.json');
  if (existsSync(`${base}.gz`)) return { model: JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) };
  if (existsSync(base)) return { model: JSON.parse(readFileSync(base, 'utf8')) };
  return { problem: `botocore has no ${service} model at ${base}(.gz)` };
}

/** The SageMaker API model of the installed botocore, or the reason it is unavailable. */
export function loadSageMakerModel(): { model?: ServiceModel; problem?: string } {
  const { dir, problem } = botocoreDataDir();
  if (!dir) {
    return { problem };
  }
  const base = join(dir, 'sagemaker', '2017-07-24', 'service-2.json');
  if (existsSync(`${base}.gz`)) {
    return { model: JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) };
  }
  if (existsSync(base)) {
    return { model: JSON.parse(readFileSync(base, 'utf8')) };
  }
  return { problem: `botocore has no SageMaker model at ${base}(.gz)` };
}

/**
 * `describe` for tests that need the botocore model: under CI=true a missing python3/botocore
 * fails the suite; elsewhere the suite is skipped with a loud message (like describeWithTool).
 */
export function describeWithSageMakerModel(name: string, body: (model: () => ServiceModel) => void): void {
  const { model, problem } = loadSageMakerModel();
  if (model) {
    describe(name, () => body(() => model));
    return;
  }
  const message = `${problem}; install it with: pip install botocore`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('requires the botocore SageMaker model', () => {
        throw new Error(`${message} (CI=true: tests that need it must run).`);
      });
    });
    return;
  }
  console.warn(`\n*** SKIPPING "${name}": ${message} ***\n`);
  describe.skip(name, () => body(() => { throw new Error('unreachable'); }));
}

/**
 * Compiles a model pattern as the service applies it: a whole-string match (the model's patterns
 * are unanchored) with Java's `.`, which matches no line terminator (CR, LF, U+0085, U+2028, U+2029).
 */
export function anchoredPattern(pattern: string): RegExp {
  return modelPattern(pattern);
}

/**
 * Checks a value against a shape of the model: required members, no unknown members, string and
 * collection lengths, numeric ranges, enums and anchored patterns. Returns one line per violation.
 */
export function checkAgainstModel(model: ServiceModel, shapeName: string, value: unknown, path = shapeName): string[] {
  const shape = model.shapes[shapeName];
  if (!shape) {
    return [`${path}: the model has no shape ${shapeName}`];
  }
  const problems: string[] = [];
  const fail = (message: string) => problems.push(`${path}: ${message}`);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail(`expected a structure (${shapeName})`);
        break;
      }
      const object = value as Record<string, unknown>;
      for (const required of shape.required ?? []) {
        if (object[required] === undefined) fail(`required member ${required} is missing`);
      }
      for (const [member, memberValue] of Object.entries(object)) {
        if (memberValue === undefined) continue;
        const memberShape = shape.members?.[member];
        if (!memberShape) {
          fail(`${member} is not a member of ${shapeName}`);
          continue;
        }
        problems.push(...checkAgainstModel(model, memberShape.shape, memberValue, `${path}.${member}`));
      }
      break;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        fail('expected a list');
        break;
      }
      if (shape.min !== undefined && value.length < shape.min) fail(`has ${value.length} items, min ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`has ${value.length} items, max ${shape.max}`);
      value.forEach((item, index) => problems.push(...checkAgainstModel(model, shape.member!.shape, item, `${path}[${index}]`)));
      break;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null) {
        fail('expected a map');
        break;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.min !== undefined && entries.length < shape.min) fail(`has ${entries.length} entries, min ${shape.min}`);
      if (shape.max !== undefined && entries.length > shape.max) fail(`has ${entries.length} entries, max ${shape.max}`);
      for (const [key, entry] of entries) {
        problems.push(...checkAgainstModel(model, shape.key!.shape, key, `${path}{key ${JSON.stringify(key)}}`));
        problems.push(...checkAgainstModel(model, shape.value!.shape, entry, `${path}[${JSON.stringify(key)}]`));
      }
      break;
    }
    case 'string': {
      if (typeof value !== 'string') {
        fail(`expected a string, got ${typeof value}`);
        break;
      }
      if (shape.min !== undefined && value.length < shape.min) fail(`length ${value.length} < min ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`length ${value.length} > max ${shape.max}`);
      if (shape.enum && !shape.enum.includes(value)) fail(`${JSON.stringify(value)} is not one of the ${shape.enum.length} enum values`);
      if (shape.pattern && !anchoredPattern(shape.pattern).test(value)) fail(`${JSON.stringify(value)} does not match ^${shape.pattern}$`);
      break;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        fail(`expected an integer, got ${JSON.stringify(value)}`);
        break;
      }
      if (shape.min !== undefined && value < shape.min) fail(`${value} < min ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(`${value} > max ${shape.max}`);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(`expected a boolean, got ${JSON.stringify(value)}`);
      break;
    default:
      break;
  }
  return problems;
}
