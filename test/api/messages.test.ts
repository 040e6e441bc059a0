/**
 * Messages stand alone: what a consumer reads (synth warnings, infos and errors, and the API
 * reference built from the doc comments) names no file the package does not ship and no tool
 * internals, and speaks about the region it is in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { platformApp } from '../support/platform-app';

/** Files and internals a consumer cannot open: the team's reference notes, source paths, tool modules. */
const UNSHIPPED = /aws-facts|cdk-anchors|§|\bseeds\b|seed report|shared\/reference|\b(test|lambda\/src|lib)\/[\w/.-]+\.ts\b|\.test\.ts|cfnlint\/|\.py\b|endpoints\.json|get_id\b|\bissue \d+\b/i;

describe('synth messages stand alone', () => {
  // The regions whose storage choice and warnings differ most: China (both regions), GovCloud, a region without FSx.
  const regions = ['cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'ap-southeast-6'];
  const app = platformApp(regions);
  const stacks = app.node.children.filter((child): child is Stack => Stack.isStack(child));
  const messages = stacks.flatMap((stack) => {
    const annotations = Annotations.fromStack(stack);
    return [...annotations.findWarning('*', Match.anyValue()), ...annotations.findInfo('*', Match.anyValue()), ...annotations.findError('*', Match.anyValue())]
      .map((entry) => ({ region: stack.region, text: String(entry.entry.data) }));
  });

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
