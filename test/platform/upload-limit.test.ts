import { App, Size } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../contract/ingestion-events';
import { DatasetPlatformStack } from '../../lib';

type Fn = { Properties: { Environment?: { Variables?: Record<string, unknown> } } };

describe('DatasetPlatformStack maxUploadSize: one limit for the API and the ingestion', () => {
  test('the API refuses to start larger uploads and the converter refuses to convert them, with the same number of bytes', () => {
    const stack = new DatasetPlatformStack(new App(), 'Platform', { env: { region: 'us-east-1' }, maxUploadSize: Size.gibibytes(64) });
    const variables = (Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as Fn[]).map((fn) => fn.Properties.Environment?.Variables ?? {});
    expect(variables.map((v) => v.API_MAX_UPLOAD_BYTES).filter(Boolean)).toEqual([String(64 * 1024 ** 3)]);
    expect(variables.map((v) => v.MAX_UPLOAD_BYTES).filter(Boolean)).toEqual([String(64 * 1024 ** 3)]);
    expect(stack.ingestion.maxUploadBytes).toBe(stack.api.maxUploadBytes);
  });

  test('by default both are 200 GiB', () => {
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(Size.gibibytes(200).toBytes());
  });
});
