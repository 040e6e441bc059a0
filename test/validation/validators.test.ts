import { App, CfnParameter, Duration, Errors, Size, Stack, Token, UnscopedValidationError } from 'aws-cdk-lib';
import { PURE, PropProblems, bytesIn, integerIn, numberText, positiveUpTo, wholeDaysIn, wholeSecondsIn } from '../../lib/validation';

const token = () => new CfnParameter(new Stack(new App(), 'S'), 'P', { type: 'Number' }).valueAsNumber;

describe('token-aware validators', () => {
  test('a token duration in the validator\'s unit passes and is returned as the token', () => {
    const value = token();
    expect(wholeSecondsIn(PURE, 'timeout', Duration.seconds(value), 1, 60, 'fix')).toBe(value);
    expect(wholeDaysIn(PURE, 'expiration', Duration.days(value), 1, 60, 'fix')).toBe(value);
    expect(bytesIn(PURE, 'size', Size.bytes(value), 1, 60, 'fix')).toBe(value);
  });

  test('a token duration in another unit says how to write it, instead of CDK\'s conversion error', () => {
    expect(() => wholeSecondsIn(PURE, 'timeout', Duration.minutes(token()), 1, 60, 'fix'))
      .toThrow(/^timeout is a token duration \(.*\); a token duration must be given in seconds, as CDK cannot convert a token between units\. Write Duration\.seconds\(parameter\.valueAsNumber\)\.$/);
    expect(() => wholeDaysIn(PURE, 'expiration', Duration.hours(token()), 1, 60, 'fix')).toThrow(/Write Duration\.days\(parameter\.valueAsNumber\)/);
    expect(() => bytesIn(PURE, 'size', Size.gibibytes(token()), 1, 60, 'fix')).toThrow(/Write Size\.bytes\(parameter\.valueAsNumber\)/);
  });

  test('literals outside the rule fail with prop, value, rule and fix', () => {
    expect(() => wholeSecondsIn(PURE, 'timeout', Duration.millis(1500), 1, 60, 'Use whole seconds.'))
      .toThrow('timeout is 1 second 500 millis; it must be whole seconds from 1 second to 1 minute. Use whole seconds.');
    expect(() => positiveUpTo(PURE, 'rate', 0, 10, 'Use e.g. 5.')).toThrow('rate is 0; it must be above 0 and at most 10. Use e.g. 5.');
    expect(() => bytesIn(PURE, 'size', Size.kibibytes(2), 1, 1024, 'Use less.')).toThrow('size is 2 KiB; it must be from 1 bytes to 1024 bytes (1 KiB). Use less.');
  });

  test('numberText keeps a token a token and writes literals plainly', () => {
    const value = token();
    expect(numberText(42)).toBe('42');
    expect(Token.isUnresolved(numberText(value))).toBe(true);
    expect(numberText(value)).not.toMatch(/e\+289/);
    expect(String(value)).toMatch(/e\+289/);
  });
});

describe('PropProblems', () => {
  test('reports every problem at once, one a line, as a ValidationError on the construct', () => {
    const stack = new Stack(new App(), 'S');
    const problems = new PropProblems({ scope: stack, construct: 'Thing' });
    problems.check(() => integerIn(PURE, 'count', 0, 1, 5, 'Use e.g. 2.'));
    problems.check(() => integerIn(PURE, 'fine', 3, 1, 5, 'Use e.g. 2.'));
    problems.add('name', 'name is empty: give the thing a name.');
    let thrown: unknown;
    try {
      problems.throwIfAny();
    } catch (error) {
      thrown = error;
    }
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as Error).name).toBe('InvalidCount');
    expect((thrown as Error).message).toBe('Thing S:\n  count is 0; it must be a whole number from 1 to 5. Use e.g. 2.\n  name is empty: give the thing a name.');
  });

  test('without a construct the error is unscoped; with no problem nothing is thrown; other errors pass through', () => {
    const problems = new PropProblems({ construct: 'Tenant "a"' });
    problems.throwIfAny();
    problems.addProp('maxConcurrentJobs', '0', 'it must be a whole number from 1 to 10000', 'Use e.g. 8.');
    expect(() => problems.throwIfAny()).toThrow(UnscopedValidationError);
    expect(() => problems.throwIfAny()).toThrow('Tenant "a":\n  maxConcurrentJobs is 0; it must be a whole number from 1 to 10000. Use e.g. 8.');
    expect(() => problems.check(() => {
      throw new TypeError('bug');
    })).toThrow(TypeError);
  });
});
