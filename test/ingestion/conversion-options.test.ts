import { conversionOptions, parseConversionSettings } from '../../lambda/src/ingestion/config';
import { resolveOptions } from '../../lambda/src/dataset/options';

const REF = { tenant: 'vision', datasetId: 'cats', channel: 'images' };

describe('the ingestion\'s conversion settings (CONVERSION_OPTIONS) with a validation split', () => {
  test('validationFraction is read and reaches an images conversion with the channel of the upload', () => {
    const settings = parseConversionSettings(JSON.stringify({ seed: 3, validationFraction: 0.2 }), 'ingestion');
    expect(conversionOptions(settings, REF, 'images', {})).toEqual({ seed: 3, kind: 'images', channel: 'images', validationFraction: 0.2 });
    expect(resolveOptions(conversionOptions(settings, REF, 'images', {})).validationFraction).toBe(0.2);
  });

  test.each(['files', 'tfrecord'] as const)('a %s upload of the same platform is kept unsplit (the setting is for images)', (kind) => {
    const settings = parseConversionSettings(JSON.stringify({ validationFraction: 0.2 }), 'ingestion');
    const options = conversionOptions(settings, REF, kind, {});
    expect(options).toEqual({ kind, channel: 'images' });
    expect(resolveOptions(options).validationFraction).toBeNull();
  });

  test.each([0, 0.75, -1, 'a tenth'])('a function configured with validationFraction %p fails at cold start naming the variable', (validationFraction) => {
    expect(() => parseConversionSettings(JSON.stringify({ validationFraction }), 'ingestion'))
      .toThrow(/The ingestion function is misconfigured: CONVERSION_OPTIONS is not valid: .*validationFraction/s);
  });
});
