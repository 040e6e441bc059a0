/**
 * Messages stand alone: what a consumer reads (synth warnings, infos and errors, and the API
 * reference built from the doc comments) names no file the package does not ship and no tool
 * internals, and speaks about the region it is in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { platformApp } from '../support/platform-app';
import { UNSHIPPED } from '../validation/support';


describe('synth messages stand alone', () => {
  // The regions whose storage choice and warnings differ most: China (both regions), GovCloud, a region without FSx.
  const regions = ['cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'ap-southeast-6'];
  const app = platformApp(regions);
  const stacks = app.node.children.filter((child): child is Stack => Stack.isStack(child));
  // One synthesis for all stacks (Annotations.fromStack synthesizes the whole app again for each).
  const assembly = app.synth();
  const messages = stacks.flatMap((stack) => assembly.getStackArtifact(stack.artifactId).messages
    .filter((message) => ['warning', 'info', 'error'].includes(message.level))
    .map((message) => ({ region: stack.region, text: String(message.entry.data) })));

  test('there are messages to check', () => {
    expect(new Set(messages.map((message) => message.region))).toEqual(new Set(regions));
  });

  test('no message names an unshipped file or a tool\'s internals', () => {
    expect(messages.filter((message) => UNSHIPPED.test(message.text))).toEqual([]);
  });

  test('a message in one China region that cites a report from the other says so', () => {
    for (const [region, other] of [['cn-northwest-1', 'cn-north-1'], ['cn-north-1', 'cn-northwest-1']]) {
      const citing = messages.filter((message) => message.region === region && message.text.includes(`region ${other} for SageMaker`));
      for (const message of citing) {
        expect(message.text).toContain(`No report covers ${region};`);
      }
    }
    expect(messages.some((message) => message.region === 'cn-northwest-1' && message.text.includes('No report covers cn-northwest-1;'))).toBe(true);
  });
});

test('the API reference (every public doc comment) names no unshipped file or tool internals', () => {
  const lines = readFileSync(join(__dirname, '..', '..', 'API.md'), 'utf8').split('\n');
  expect(lines.filter((line) => UNSHIPPED.test(line))).toEqual([]);
});

describe('the jsii assembly\'s docs (what Python, Go and IDE users read)', () => {
  // The assembly `npm run build` writes (npm test builds it before jest runs).
  const assemblyPath = join(__dirname, '..', '..', '.jsii');
  const docs: Array<{ where: string; text: string }> = [];
  const collect = (value: unknown, where: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => collect(item, `${where}[${index}]`));
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'docs' && child && typeof child === 'object') {
          for (const [field, text] of Object.entries(child)) {
            if (typeof text === 'string') docs.push({ where: `${where} @${field}`, text });
          }
        } else {
          collect(child, `${where}.${key}`);
        }
      }
    }
  };
  collect(JSON.parse(readFileSync(assemblyPath, 'utf8')).types, 'types');

  test('the assembly has the public API\'s docs', () => {
    expect(docs.length).toBeGreaterThan(1000);
  });

  test('no doc of a type, member, parameter or enum value names an unshipped file or tool internals', () => {
    expect(docs.filter((doc) => UNSHIPPED.test(doc.text))).toEqual([]);
  });
});
