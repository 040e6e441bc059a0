import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DatasetVersionRetention, TrainingNetwork } from '../../lib';
import { decideRetention, RetentionReason, versionTime } from '../../lambda/src/ingestion/retention';
import { IamSimulator, type Decision } from '../support/iam-simulator';

const DAY = 24 * 3600 * 1000;
const now = new Date('2026-12-03T12:00:00Z');
/** A version uploaded `daysAgo` days before `now`. */
const v = (daysAgo: number, n = 0) => {
  const t = new Date(now.getTime() - daysAgo * DAY).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `v${t}-${n.toString(16).padStart(12, '0')}`;
};
const policy = { keepVersions: 2, keepYoungerThanMs: 7 * DAY, incompleteGraceMs: 2 * DAY };

describe('retention: which versions of a channel go (pure)', () => {
  test('keeps the newest N complete, the young and the current; removes the rest, oldest first', () => {
    const versions = [v(40, 1), v(30, 2), v(20, 3), v(10, 4), v(9, 5), v(3, 6)].map((version) => ({ version, complete: true }));
    const decision = decideRetention(versions, new Set([v(30, 2)]), policy, now);
    expect(decision.remove).toEqual([v(40, 1), v(20, 3), v(10, 4)]);
    expect(decision.keep).toEqual([
      { version: v(30, 2), reason: RetentionReason.CURRENT },
      { version: v(9, 5), reason: RetentionReason.NEWEST },
      { version: v(3, 6), reason: RetentionReason.NEWEST },
    ]);
  });

  test.each([
    ['an old current version is never removed, even with keepVersions 1', [v(100, 1), v(1, 2)], [v(100, 1)], 1, []],
    ['every version younger than the age stays, beyond N', [v(6, 1), v(5, 2), v(4, 3), v(3, 4)], [], 1, []],
    ['names that are not versions stay', ['not-a-version', v(30, 1), v(20, 2)], [], 1, [v(30, 1)]],
    ['nothing to remove in a fresh channel', [v(0, 1)], [v(0, 1)], 5, []],
  ])('%s', (_name, names, current, keepVersions, removed) => {
    const versions = (names as string[]).map((version) => ({ version, complete: true }));
    expect(decideRetention(versions, new Set(current as string[]), { ...policy, keepVersions: keepVersions as number }, now).remove).toEqual(removed);
  });

  test('incomplete versions (a conversion in progress) stay for their grace even when older than the age', () => {
    const versions = [{ version: v(40, 1), complete: true }, { version: v(1.5, 2), complete: false }, { version: v(3, 3), complete: false }];
    const decision = decideRetention(versions, new Set(), { ...policy, keepVersions: 1, keepYoungerThanMs: DAY }, now);
    expect(decision.remove).toEqual([v(3, 3)]);
    expect(decision.keep).toEqual([{ version: v(40, 1), reason: RetentionReason.NEWEST }, { version: v(1.5, 2), reason: RetentionReason.IN_PROGRESS }]);
  });

  test('incomplete versions past their grace are removed; complete ones do not count an incomplete one among the newest', () => {
    const versions = [{ version: v(30, 1), complete: true }, { version: v(20, 2), complete: true }, { version: v(10, 3), complete: false }];
    expect(decideRetention(versions, new Set(), { ...policy, keepVersions: 2 }, now).remove).toEqual([v(10, 3)]);
  });

  test('version names tell their time; keepVersions below 1 is refused', () => {
    expect(versionTime('v20261203T101500Z-0123456789ab')).toEqual(new Date('2026-12-03T10:15:00Z'));
    expect(versionTime('v20261203T101500123Z-0123456789ab')).toEqual(new Date('2026-12-03T10:15:00.123Z'));
    expect(versionTime('current.json')).toBeUndefined();
    expect(() => decideRetention([], new Set(), { ...policy, keepVersions: 0 }, now)).toThrow(/keepVersions must be a whole number of at least 1/);
  });
});

describe('DatasetVersionRetention construct', () => {
  const make = (props: Partial<ConstructorParameters<typeof DatasetVersionRetention>[2]> = {}) => {
    const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network');
    const retention = new DatasetVersionRetention(stack, 'Retention', { network, datasetBucket: new s3.Bucket(stack, 'Datasets'), ...props });
    return { retention, template: Template.fromStack(stack) };
  };

  test('a daily schedule invokes an arm64 function (one at a time) with the policy in its environment; it may read and delete datasets/* only', () => {
    const { template } = make();
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)', Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: { MaximumRetryAttempts: 2 } })] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: Match.objectLike({ RETENTION_KEEP_VERSIONS: '5', RETENTION_KEEP_YOUNGER_THAN_SECONDS: String(7 * 24 * 3600) }) },
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement);
    const s3Actions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('s3:')).sort();
    expect(s3Actions).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(statements)).toMatch(/\/datasets\/\*/);
  });

  test('with the upload bucket, it may list and delete every version below uploads/ (whole datasets only) and gets the bucket in its environment', () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
    const uploadBucket = new s3.Bucket(stack, 'Uploads');
    new DatasetVersionRetention(stack, 'Retention', { network: new TrainingNetwork(stack, 'Network'), datasetBucket: new s3.Bucket(stack, 'Datasets'), uploadBucket });
    const template = Template.fromStack(stack);
    const uploadsRef = { Ref: stack.getLogicalId(uploadBucket.node.defaultChild as s3.CfnBucket) };
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ UPLOAD_BUCKET: uploadsRef }) } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'DeleteUploadsOfDeletedDatasets', Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [uploadsRef.Ref, 'Arn'] }, '/uploads/*']] } }),
          Match.objectLike({ Sid: 'ListUploadVersions', Action: 's3:ListBucketVersions', Resource: { 'Fn::GetAtt': [uploadsRef.Ref, 'Arn'] }, Condition: { StringLike: { 's3:prefix': ['uploads/*'] } } }),
        ]),
      },
    });
  });

  test('IAM, simulated: it may delete any version of an upload and list upload versions, but never read or write an upload, nor list outside uploads/', async () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    new DatasetVersionRetention(stack, 'Retention', { network: new TrainingNetwork(stack, 'Network'), datasetBucket: new s3.Bucket(stack, 'Datasets'), uploadBucket: new s3.Bucket(stack, 'Uploads') });
    const simulator = new IamSimulator(Template.fromStack(stack));
    const role = simulator.roleNamed(/RetentionFunction.*Role/);
    const uploads = simulator.bucketArn(/Uploads/);
    const cases: [string, string, Record<string, string>, Decision][] = [
      ['s3:DeleteObject', `${uploads}/uploads/vision/cats/training.zip`, {}, 'Allowed'],
      ['s3:DeleteObjectVersion', `${uploads}/uploads/vision/cats/training.zip`, {}, 'Allowed'],
      ['s3:ListBucketVersions', uploads, { 's3:prefix': 'uploads/vision/cats/' }, 'Allowed'],
      ['s3:ListBucketVersions', uploads, { 's3:prefix': 'other/' }, 'ImplicitlyDenied'],
      ['s3:GetObject', `${uploads}/uploads/vision/cats/training.zip`, {}, 'ImplicitlyDenied'],
      ['s3:PutObject', `${uploads}/uploads/vision/cats/training.zip`, {}, 'ImplicitlyDenied'],
      ['s3:DeleteObject', `${uploads}/other/key`, {}, 'ImplicitlyDenied'],
    ];
    for (const [action, resource, context, decision] of cases) {
      await expect(simulator.simulate({ role, action, resource, context })).resolves.toBe(decision);
    }
  });

  test('without the upload bucket, it never touches uploads', () => {
    const { template } = make();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/UPLOAD_BUCKET|ListBucketVersions|DeleteObjectVersion/);
  });

  test('keepVersions, keepYoungerThan and schedule are passed on', () => {
    const { template } = make({ keepVersions: 3, keepYoungerThan: Duration.days(30), schedule: events.Schedule.cron({ hour: '3', minute: '0' }) });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RETENTION_KEEP_VERSIONS: '3', RETENTION_KEEP_YOUNGER_THAN_SECONDS: String(30 * 24 * 3600) }) } });
  });

  test.each([
    [{ keepVersions: 0 }, /keepVersions is 0; it must be a whole number from 1 to 1000/],
    [{ keepVersions: 2.5 }, /keepVersions is 2.5/],
    [{ keepYoungerThan: Duration.minutes(10) }, /keepYoungerThan is 10 minutes; it must be whole seconds, at least 1 hour/],
  ])('invalid %j is refused with the prop named', (props, message) => {
    expect(() => make(props)).toThrow(message);
  });
});
