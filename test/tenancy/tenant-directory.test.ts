import {
  TENANTS_ENV, TenantDirectory, TenantDirectoryError, arnPatternMatches, parseTenantDirectory, tenantOfClaims, tenantOfPrincipal,
} from '../../contract/tenant-directory';

const ACCOUNT = '111111111111';
const directory: TenantDirectory = parseTenantDirectory(JSON.stringify({
  tenants: [
    { name: 'vision', principalArnPatterns: [`arn:aws:iam::${ACCOUNT}:role/vision-*`], claimValues: ['vision'],
      maxConcurrentJobs: 4, executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec-vision`, accessRoleArn: `arn:aws:iam::${ACCOUNT}:role/access-vision` },
    { name: 'speech', principalArnPatterns: [`arn:aws:iam::${ACCOUNT}:user/speech?`, `arn:aws:iam::${ACCOUNT}:role/shared-*`], claimValues: ['speech', 'audio'],
      readsSharedDatasets: false, executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec-speech`, accessRoleArn: `arn:aws:iam::${ACCOUNT}:role/access-speech` },
    { name: 'ops', principalArnPatterns: [`arn:aws:iam::${ACCOUNT}:role/shared-admin`], claimValues: [],
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec-ops`, accessRoleArn: `arn:aws:iam::${ACCOUNT}:role/access-ops` },
  ],
}));

describe('caller → tenant', () => {
  test.each([
    ['an IAM role', `arn:aws:iam::${ACCOUNT}:role/vision-trainer`, 'vision'],
    ['a session of that role', `arn:aws:sts::${ACCOUNT}:assumed-role/vision-trainer/alice`, 'vision'],
    ['a user matched by ?', `arn:aws:iam::${ACCOUNT}:user/speech1`, 'speech'],
  ])('%s maps to its tenant', (_, arn, tenant) => {
    expect(tenantOfPrincipal(directory, arn)).toMatchObject({ ok: true, tenant: { name: tenant } });
  });

  test.each([
    ['another account', `arn:aws:iam::222222222222:role/vision-trainer`, 'belongs to no tenant'],
    ['a prefix that only looks alike', `arn:aws:iam::${ACCOUNT}:role/visionary`, 'belongs to no tenant'],
    ['? matches exactly one character', `arn:aws:iam::${ACCOUNT}:user/speech12`, 'belongs to no tenant'],
    ['a session name that mimics a role', `arn:aws:sts::${ACCOUNT}:assumed-role/other/vision-trainer`, 'belongs to no tenant'],
    ['a principal in two tenants', `arn:aws:iam::${ACCOUNT}:role/shared-admin`, 'matches several tenants (speech, ops)'],
  ])('%s belongs to none', (_, arn, reason) => {
    const match = tenantOfPrincipal(directory, arn);
    expect(match.ok).toBe(false);
    expect(!match.ok && match.reason).toContain(reason);
  });

  test.each([
    [{ tenant: 'vision' }, 'vision'],
    [{ tenant: 'audio' }, 'speech'],
    [{ tenant: ['other', 'audio'] }, 'speech'],
    [{ tenant: 'other audio' }, 'speech'],
  ])('claims %j map to %s', (claims, tenant) => {
    expect(tenantOfClaims(directory, 'tenant', claims)).toMatchObject({ ok: true, tenant: { name: tenant } });
  });

  test.each([
    [{}, 'has no "tenant" claim'],
    [{ tenant: '' }, 'has no "tenant" claim'],
    [{ tenant: 'nobody' }, 'belongs to no tenant'],
    [{ tenant: 'vision speech' }, 'matches several tenants'],
    [{ tenant: 42 }, 'has no "tenant" claim'],
  ])('claims %j map to no tenant', (claims, reason) => {
    const match = tenantOfClaims(directory, 'tenant', claims);
    expect(!match.ok && match.reason).toContain(reason);
  });

  test('ARN patterns treat regular-expression characters literally', () => {
    expect(arnPatternMatches('arn:aws:iam::1:role/a.b', 'arn:aws:iam::1:role/axb')).toBe(false);
    expect(arnPatternMatches('arn:aws:iam::1:role/a+b', 'arn:aws:iam::1:role/a+b')).toBe(true);
  });

  test('defaults: shared datasets readable unless turned off; quotas optional', () => {
    expect(directory.tenants.map((tenant) => [tenant.name, tenant.readsSharedDatasets, tenant.maxConcurrentJobs]))
      .toEqual([['vision', true, 4], ['speech', false, undefined], ['ops', true, undefined]]);
  });
});

describe('parseTenantDirectory', () => {
  const valid = { name: 'a', principalArnPatterns: [], claimValues: [], executionRoleArn: 'arn:x', accessRoleArn: 'arn:y' };
  test.each([
    [undefined, `${TENANTS_ENV} is not set`],
    ['{', 'is not JSON'],
    ['{"tenants":[]}', 'at least one tenant'],
    [JSON.stringify({ tenants: [{ ...valid, name: 'Team-A' }] }), 'tenants[0].name "Team-A" must be a lowercase letter'],
    [JSON.stringify({ tenants: [{ ...valid, name: 'shared' }] }), 'is reserved for the platform\'s shared datasets'],
    [JSON.stringify({ tenants: [valid, valid] }), 'tenant "a" is listed twice'],
    [JSON.stringify({ tenants: [{ ...valid, maxConcurrentJobs: 0 }] }), 'maxConcurrentJobs must be a whole number of at least 1'],
    [JSON.stringify({ tenants: [{ ...valid, executionRoleArn: '' }] }), 'executionRoleArn must be a non-empty string'],
    [JSON.stringify({ tenants: [{ ...valid, principalArnPatterns: 'x' }] }), 'principalArnPatterns must be a list of non-empty strings'],
    [JSON.stringify({ tenants: [{ ...valid, allowedInstanceTypes: [1] }] }), 'allowedInstanceTypes must be a list of non-empty strings'],
  ])('%s is refused: %s', (text, message) => {
    expect(() => parseTenantDirectory(text)).toThrow(TenantDirectoryError);
    expect(() => parseTenantDirectory(text)).toThrow(message);
  });
});
