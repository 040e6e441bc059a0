import { SharedDatasetAccess, Tenant } from '../../lib';

describe('Tenant', () => {
  test('keeps its members, quotas and shared access', () => {
    const tenant = new Tenant({
      name: 'vision', principalArnPatterns: ['arn:aws:iam::123456789012:role/vision-*'], jwtClaimValues: ['vision'],
      maxConcurrentJobs: 3, allowedInstanceTypes: ['ml.g5.xlarge', 'ml.g5.xlarge'], sharedDatasets: SharedDatasetAccess.NONE,
    });
    expect(tenant).toMatchObject({ name: 'vision', maxConcurrentJobs: 3, allowedInstanceTypes: ['ml.g5.xlarge'], sharedDatasets: SharedDatasetAccess.NONE });
  });

  test('the account default tenant takes every principal of the account', () => {
    const tenant = Tenant.accountDefault();
    expect(tenant.name).toBe('default');
    expect(tenant.principalArnPatterns).toHaveLength(2);
    expect(tenant.sharedDatasets).toBe(SharedDatasetAccess.READ);
  });

  const member = { principalArnPatterns: ['arn:aws:iam::123456789012:role/x'] };
  test.each([
    [{ ...member, name: 'Team-A' }, /name must be a lowercase letter followed by up to 15 lowercase letters or digits.*for example "teama"/s],
    [{ ...member, name: 'shared' }, /name is reserved for the platform's shared datasets/],
    [{ ...member, name: 'a'.repeat(17) }, /name must be/],
    [{ name: 'lonely' }, /has no members: set principalArnPatterns/],
    [{ name: 'a', principalArnPatterns: ['role/x'] }, /principalArnPatterns has "role\/x": write an IAM or STS principal ARN pattern/],
    [{ name: 'a', jwtClaimValues: ['a b'] }, /jwtClaimValues has "a b"/],
    [{ ...member, name: 'a', maxConcurrentJobs: 0 }, /maxConcurrentJobs is 0; it must be a whole number from 1 to 10000/],
    [{ ...member, name: 'a', maxConcurrentJobs: 1.5 }, /maxConcurrentJobs is 1.5/],
    [{ ...member, name: 'a', allowedInstanceTypes: [] }, /allowedInstanceTypes is empty/],
    [{ ...member, name: 'a', allowedInstanceTypes: ['g5.xlarge'] }, /allowedInstanceTypes has "g5.xlarge": instance types are written ml/],
  ])('%j is refused', (props, message) => {
    expect(() => new Tenant(props)).toThrow(message);
  });
});
