/**
 * The launch request is declared once (contract/launch-request.ts, also the library's public jsii
 * types) and validated by the launcher Lambda's schemas (lambda/src/launcher/launch-request.ts),
 * which are typed against it. This test proves that the compile-time link bites: it type-checks the
 * validator against a contract with one field added, dropped, made optional or retyped on one side
 * only, and expects the compiler to name the field each time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { CHANNEL_FIELDS, REQUEST_FIELDS, REQUIRED_REQUEST_FIELDS } from '../../lambda/src/launcher/launch-request';

const ROOT = join(__dirname, '..', '..');
const CONTRACT = join(ROOT, 'contract', 'launch-request.ts');
const VALIDATOR = join(ROOT, 'lambda', 'src', 'launcher', 'launch-request.ts');

interface Mutation {
  /** What drifts. */
  readonly what: string;
  readonly file: string;
  readonly replace: string;
  readonly with: string;
  /** A name the compiler's error (or the line it points at) must mention. */
  readonly named: string;
}

const inRequest = (field: string) => ({
  file: CONTRACT, replace: '  readonly metricDefinitions?: TrainingJobMetricDefinition[];\n}',
  with: `  readonly metricDefinitions?: TrainingJobMetricDefinition[];\n  ${field}\n}`,
});

/** Each one-sided change, with a name nothing else in the file is called: all are applied to one program (one type check). */
const MUTATIONS: Mutation[] = [
  { what: 'an optional request field added to the contract only', ...inRequest('readonly priorityClass?: number;'), named: 'priorityClass' },
  { what: 'a channel field added to the contract only', file: CONTRACT,
    replace: '  readonly split?: DatasetChannelSplit;\n}', with: '  readonly split?: DatasetChannelSplit;\n  readonly cacheMode?: string;\n}', named: 'cacheMode' },
  { what: 'a metric definition field added to the contract only', file: CONTRACT,
    replace: '  readonly regex: string;\n}', with: '  readonly regex: string;\n  readonly metricUnit?: string;\n}', named: 'metricUnit' },
  { what: 'a checkpoint field added to the contract only', file: CONTRACT,
    replace: '  readonly localPath?: string;\n}', with: '  readonly localPath?: string;\n  readonly syncInterval?: number;\n}', named: 'syncInterval' },
  { what: 'a required field made optional in the contract only', file: CONTRACT,
    replace: '  readonly instanceType: string;', with: '  readonly instanceType?: string;', named: 'instanceType' },
  { what: 'a field retyped in the contract only', file: CONTRACT,
    replace: '  readonly volumeSizeInGB?: number;', with: '  readonly volumeSizeInGB?: string;', named: 'volumeSizeInGB' },
  { what: 'a request field dropped from the validator only', file: VALIDATOR, replace: "'useSpot', ", with: '', named: 'useSpot' },
];

const options = compilerOptions();

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  return { ...ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options, noEmit: true, types: ['node'] };
}

/** The validator's type errors (each with the source line it points at) with `mutations` applied in memory. */
function validatorErrors(mutations: readonly Mutation[]): string[] {
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const mutated = (fileName: string): string | undefined => {
    let text = readFile(fileName);
    for (const mutation of mutations.filter((candidate) => ts.sys.resolvePath(fileName) === candidate.file)) {
      if (!text?.includes(mutation.replace)) {
        throw new Error(`${mutation.what}: its anchor ${JSON.stringify(mutation.replace)} is no longer in ${mutation.file}; update this test.`);
      }
      text = text.replace(mutation.replace, mutation.with);
    }
    return text;
  };
  host.readFile = mutated;
  host.getSourceFile = (fileName, languageVersion) => {
    const text = mutated(fileName);
    return text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  const program = ts.createProgram({ rootNames: [VALIDATOR], options, host });
  const source = program.getSourceFile(VALIDATOR)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((diagnostic) => {
    const line = diagnostic.start === undefined ? '' : source.text.split('\n')[source.getLineAndCharacterOfPosition(diagnostic.start).line];
    return `${line.trim()}\n${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

describe('the launch request contract and the launcher\'s validator cannot drift', () => {
  test('unchanged, the validator type-checks against the contract', () => {
    expect(validatorErrors([])).toEqual([]);
  });

  test('a field added, dropped, made optional or retyped on one side only fails to compile, naming the field', () => {
    const errors = validatorErrors(MUTATIONS);
    const undetected = MUTATIONS.filter((mutation) => !errors.some((error) => error.includes(mutation.named)));
    expect(undetected.map((mutation) => mutation.what)).toEqual([]);
  });

  test('the field lists the validator reports with are the contract\'s', () => {
    expect(REQUIRED_REQUEST_FIELDS.every((field) => (REQUEST_FIELDS as readonly string[]).includes(field))).toBe(true);
    expect(new Set(REQUEST_FIELDS).size).toBe(REQUEST_FIELDS.length);
    expect(new Set(CHANNEL_FIELDS).size).toBe(CHANNEL_FIELDS.length);
    // The contract file itself declares each listed field once, in the public request interface.
    const contract = readFileSync(CONTRACT, 'utf8');
    const request = contract.slice(contract.indexOf('export interface TrainingJobLaunchRequest {'), contract.indexOf('export interface TrainingJobMetricDefinition {'));
    const declared = [...request.matchAll(/^ {2}readonly (\w+)(\?)?:/gm)].map(([, name, optional]) => (optional ? name : `${name}!`));
    expect(declared).toEqual(REQUEST_FIELDS.map((field) => ((REQUIRED_REQUEST_FIELDS as readonly string[]).includes(field) ? `${field}!` : field)));
  });
});
