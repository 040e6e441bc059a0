import { CfnParameter, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import { EfsDatasetFileSystemOptions, FileSystemAccessMode } from '../../lib';
import { checkAccessPointRoot, checkEfsAttributes, resolveEfsSettings } from '../../lib/filesystems/efs-validation';
import { regionCapabilities } from '../../lib/regions/capability-table';
import { thrownBy } from './support';

// The EFS rules as pure functions: no App and no construct of the library.

describe('resolveEfsSettings', () => {
  test('defaults', () => {
    expect(resolveEfsSettings({}, regionCapabilities('us-east-1'))).toEqual({
      datasetDirectory: '/datasets', writerOwner: { uid: 1000, gid: 1000 }, datasetDirectoryPermissions: '755',
      throughputMode: efs.ThroughputMode.ELASTIC, performanceMode: efs.PerformanceMode.GENERAL_PURPOSE, trainingAccessMode: FileSystemAccessMode.READ_ONLY,
    });
  });

  test('a token region (no capabilities) skips the region rules only', () => {
    expect(resolveEfsSettings({}, undefined).datasetDirectory).toBe('/datasets');
    expect(thrownBy(() => resolveEfsSettings({ datasetDirectoryPermissions: '9' }, undefined)).name).toBe('InvalidDatasetDirectoryPermissions');
  });

  test.each<[string, EfsDatasetFileSystemOptions, string, string]>([
    ['no EFS in the region', {}, 'us-isob-west-1', 'EfsUnavailable'],
    ['five levels', { datasetDirectory: '/a/b/c/d/e' }, 'us-east-1', 'InvalidDatasetDirectory'],
    ['a negative uid', { writerOwner: { uid: -1, gid: 0 } }, 'us-east-1', 'InvalidWriterOwnerUid'],
    ['a fractional gid', { writerOwner: { uid: 0, gid: 1.5 } }, 'us-east-1', 'InvalidWriterOwnerGid'],
    ['non-octal permissions', { datasetDirectoryPermissions: '789' }, 'us-east-1', 'InvalidDatasetDirectoryPermissions'],
    ['elastic with MAX_IO', { performanceMode: efs.PerformanceMode.MAX_IO }, 'us-east-1', 'InvalidPerformanceMode'],
    ['provisioned without a rate', { throughputMode: efs.ThroughputMode.PROVISIONED }, 'us-east-1', 'InvalidThroughputMode'],
    ['a rate without provisioned', { provisionedThroughputPerSecond: Size.mebibytes(10) }, 'us-east-1', 'InvalidProvisionedThroughputPerSecond'],
  ])('refuses %s', (_name, options, region, name) => {
    expect(thrownBy(() => resolveEfsSettings(options, regionCapabilities(region))).name).toBe(name);
  });

  test('token owner ids pass', () => {
    const stack = new Stack();
    const n = (name: string) => new CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
    const settings = resolveEfsSettings({ writerOwner: { uid: n('Uid'), gid: n('Gid') } }, regionCapabilities('us-east-1'));
    expect(stack.resolve(settings.writerOwner)).toEqual({ uid: { Ref: 'Uid' }, gid: { Ref: 'Gid' } });
  });
});

describe('checkAccessPointRoot', () => {
  test.each<[string, boolean]>([
    ['/', true], ['/datasets', true], ['/a/b/c/d', true],
    ['/a/b/c/d/e', false], ['datasets', false], ['/datasets/', false], ['/a/../b', false], [`/${'a'.repeat(100)}`, false],
  ])('%s valid=%s', (path, valid) => {
    if (valid) expect(() => checkAccessPointRoot(path)).not.toThrow();
    else expect(thrownBy(() => checkAccessPointRoot(path)).message).toMatch(/cannot be an access point root|is not normalized/);
  });
});

describe('checkEfsAttributes', () => {
  const stack = new Stack();
  const subnet = ec2.Subnet.fromSubnetAttributes(stack, 'S', { subnetId: 'subnet-1', availabilityZone: 'us-east-1a' });
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'G', 'sg-1');
  const attrs = { fileSystemId: 'fs-0123abcd', securityGroup, subnets: [subnet] };
  test.each<[string, object, string]>([
    ['a bad id', { fileSystemId: 'efs-1' }, 'InvalidFileSystemId'],
    ['no subnets', { subnets: [] }, 'InvalidSubnets'],
    ['a relative directory', { datasetDirectory: 'datasets' }, 'InvalidDatasetDirectory'],
    ['a doubled slash', { datasetDirectory: '/a//b' }, 'InvalidDatasetDirectory'],
  ])('refuses %s', (_name, override, name) => {
    expect(() => checkEfsAttributes(attrs)).not.toThrow();
    expect(thrownBy(() => checkEfsAttributes({ ...attrs, ...override })).name).toBe(name);
  });
});
