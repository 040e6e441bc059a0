import { CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as logs from 'aws-cdk-lib/aws-logs';
import { LustreDatasetFileSystemOptions, LustreLogLevel, LustreMetadataConfiguration } from '../../lib';
import {
  allowedThroughputs, checkAbsoluteDirectory, checkCanAddDataRepositoryAssociation, checkLustreAttributes, checkStorageCapacity,
  resolveLustreSettings, resolveThroughput,
} from '../../lib/filesystems/lustre-validation';
import { regionCapabilities } from '../../lib/regions/capability-table';
import { thrownBy } from './support';

// The FSx for Lustre rules as pure functions: no App, no Stack, no construct.
const US_EAST_1 = regionCapabilities('us-east-1');
const P1 = fsx.LustreDeploymentType.PERSISTENT_1;
const P2 = fsx.LustreDeploymentType.PERSISTENT_2;
const S1 = fsx.LustreDeploymentType.SCRATCH_1;
const S2 = fsx.LustreDeploymentType.SCRATCH_2;
const SSD = fsx.StorageType.SSD;
const HDD = fsx.StorageType.HDD;


describe('resolveLustreSettings', () => {
  test('defaults: PERSISTENT_2 SSD 2.15, 1200 GiB, 125 MB/s/TiB, automatic metadata, no backups, WARN_ERROR logging in us-east-1', () => {
    const settings = resolveLustreSettings({}, US_EAST_1);
    expect(settings).toMatchObject({
      deploymentType: P2, storageType: SSD, fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_15, scratch: false,
      storageCapacityGiB: 1200, perUnitStorageThroughput: 125, automaticBackupRetentionDays: 0, logLevel: LustreLogLevel.WARN_ERROR,
      warnings: [], infos: [],
    });
    expect(settings.metadata?.mode).toBe('AUTOMATIC');
  });

  test('cn-northwest-1 with the override: a warning, no metadata, no log level, infos that say so', () => {
    const settings = resolveLustreSettings({ assumeSageMakerFsxChannelSupported: true }, regionCapabilities('cn-northwest-1'));
    expect(settings.warnings.map((w) => w.id)).toEqual(['cdk-sagemaker-datasets:sageMakerFsxAssumed']);
    expect(settings.metadata).toBeUndefined();
    expect(settings.logLevel).toBeUndefined();
    expect(settings.infos.join('\n')).toMatch(/MetadataConfiguration is not emitted in cn-northwest-1[\s\S]*LogConfiguration is not emitted in cn-northwest-1/);
  });

  test.each<[string, LustreDatasetFileSystemOptions, string, string, RegExp]>([
    ['China without the override', {}, 'cn-north-1', 'SageMakerFsxChannelUnavailable', /SageMaker training jobs cannot read FSx for Lustre channels in cn-north-1/],
    ['no FSx in the region', {}, 'ap-southeast-6', 'FsxUnavailable', /CloudFormation cannot create FSx for Lustre file systems in ap-southeast-6/],
    ['SCRATCH in China', { deploymentType: S2, assumeSageMakerFsxChannelSupported: true }, 'cn-north-1', 'DeploymentTypeUnavailable', /SCRATCH_2 is not available in cn-north-1/],
    ['capacity', { storageCapacityGiB: 3000 }, 'us-east-1', 'InvalidStorageCapacityGiB', /storageCapacityGiB 3000 is not valid for PERSISTENT_2 SSD/],
    ['throughput', { perUnitStorageThroughput: 200 }, 'us-east-1', 'InvalidPerUnitStorageThroughput', /perUnitStorageThroughput is 200; it must be one of 125, 250, 500, 1000/],
    ['metadata IOPS', { metadataConfiguration: LustreMetadataConfiguration.userProvisioned(2000) }, 'us-east-1', 'InvalidMetadataIops', /metadata IOPS 2000 is not valid/],
    ['EFA on PERSISTENT_1', { deploymentType: P1, efaEnabled: true }, 'us-east-1', 'InvalidEfaEnabled', /efaEnabled needs PERSISTENT_2 SSD/],
    ['backups over 90 days', { automaticBackupRetention: Duration.days(91) }, 'us-east-1', 'InvalidAutomaticBackupRetention', /automaticBackupRetention is 91 days; it must be 0 to 90 whole days/],
    ['backups in hours', { automaticBackupRetention: Duration.hours(36) }, 'us-east-1', 'InvalidAutomaticBackupRetention', /automaticBackupRetention is 1.5 days/],
    ['backups on scratch', { deploymentType: S2, automaticBackupRetention: Duration.days(1) }, 'us-east-1', 'InvalidAutomaticBackupRetention', /SCRATCH_2 file systems have no automatic backups/],
    ['legacy chunk size', { deploymentType: P1, importPath: 's3://a/x', importedFileChunkSizeMiB: 0 }, 'us-east-1', 'InvalidImportedFileChunkSizeMiB', /importedFileChunkSizeMiB is 0; it must be a whole number from 1 to 512000/],
    ['logging in us-gov-west-1', { logLevel: LustreLogLevel.WARN_ONLY, assumeSageMakerFsxChannelSupported: true }, 'us-gov-west-1', 'InvalidLogLevel', /logLevel cannot be emitted in us-gov-west-1/],
    ['a log group outside /aws/fsx', { logGroup: logs.LogGroup.fromLogGroupName(new Stack(), 'G', '/team/logs') }, 'us-east-1', 'InvalidLogGroup', /only to log groups whose name starts with \/aws\/fsx/],
  ])('%s', (_name, options, region, name, message) => {
    const error = thrownBy(() => resolveLustreSettings(options, regionCapabilities(region)));
    expect(error.name).toBe(name);
    expect(error.message).toMatch(message);
  });

  test('tokens (CloudFormation parameters) pass every numeric rule and reach the settings unchanged', () => {
    const stack = new Stack();
    const n = (name: string) => new CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
    const settings = resolveLustreSettings({
      storageCapacityGiB: n('Capacity'),
      perUnitStorageThroughput: n('Throughput'),
      automaticBackupRetention: Duration.days(n('Backups')),
      dailyAutomaticBackupStartTime: new fsx.DailyAutomaticBackupStartTime({ hour: 1, minute: 0 }),
      metadataConfiguration: LustreMetadataConfiguration.userProvisioned(n('Iops')),
    }, US_EAST_1);
    expect(stack.resolve(settings.storageCapacityGiB)).toEqual({ Ref: 'Capacity' });
    expect(stack.resolve(settings.perUnitStorageThroughput)).toEqual({ Ref: 'Throughput' });
    expect(stack.resolve(settings.automaticBackupRetentionDays)).toEqual({ Ref: 'Backups' });
    expect(Token.isUnresolved(settings.metadata!.iops)).toBe(true);
  });
});

describe('throughput', () => {
  test.each<[fsx.LustreDeploymentType, fsx.StorageType, number[]]>([
    [P2, SSD, [125, 250, 500, 1000]],
    [P1, SSD, [50, 100, 200]],
    [P1, HDD, [12, 40]],
    [S1, SSD, []],
    [S2, SSD, []],
  ])('%s %s takes %j', (deploymentType, storageType, allowed) => {
    expect(allowedThroughputs(deploymentType, storageType)).toEqual(allowed);
    expect(resolveThroughput(undefined, deploymentType, storageType)).toBe(allowed[0]);
  });

  test('SCRATCH refuses any throughput', () => {
    expect(thrownBy(() => resolveThroughput(125, S2, SSD)).message).toMatch(/applies to PERSISTENT_1 and PERSISTENT_2 only \(got 125 with SCRATCH_2\)/);
  });
});

describe('checkStorageCapacity', () => {
  test.each<[fsx.LustreDeploymentType, fsx.StorageType, number | undefined, number, boolean]>([
    [P2, SSD, 125, 1200, true], [P2, SSD, 125, 2400, true], [P2, SSD, 125, 4800, true], [P2, SSD, 125, 3600, false], [P2, SSD, 125, 1199, false],
    [S1, SSD, undefined, 3600, true], [S1, SSD, undefined, 4800, false],
    [P1, HDD, 12, 6000, true], [P1, HDD, 12, 1800, false], [P1, HDD, 40, 1800, true],
    [P2, SSD, 125, 1200.5, false], [P2, SSD, 125, -2400, false],
  ])('%s %s at %s MB/s/TiB: %d GiB valid=%s', (deploymentType, storageType, throughput, capacity, valid) => {
    const check = () => checkStorageCapacity(capacity, deploymentType, storageType, throughput);
    if (valid) expect(check).not.toThrow();
    else expect(thrownBy(check).name).toBe('InvalidStorageCapacityGiB');
  });
});

describe('directories and imported attributes', () => {
  test.each<[string, string | undefined]>([
    ['/', undefined], ['/datasets', undefined], ['/a/b', undefined],
    ['datasets', 'RelativeDirectory'], ['/datasets/', 'UnnormalizedDirectory'], ['/a//b', 'InvalidDirectory'],
  ])('%s', (path, name) => {
    const check = () => checkAbsoluteDirectory('datasetDirectory', path);
    if (name === undefined) expect(check).not.toThrow();
    else expect(thrownBy(check).name).toBe(name);
  });

  const attrs = { fileSystemId: 'fs-0123abcd', mountName: 'abcd1234', securityGroupId: 'sg-12345678', subnetId: 'subnet-1', availabilityZone: 'us-east-1a' };
  test.each<[string, object, string]>([
    ['fileSystemId', { fileSystemId: 'fs-XYZ' }, 'InvalidFileSystemId'],
    ['mountName', { mountName: 'waytoolongname' }, 'InvalidMountName'],
    ['securityGroupId', { securityGroupId: 'group-1' }, 'InvalidSecurityGroupId'],
    ['datasetDirectory', { datasetDirectory: 'datasets' }, 'RelativeDirectory'],
  ])('imported %s', (_prop, override, name) => {
    expect(() => checkLustreAttributes(attrs)).not.toThrow();
    expect(thrownBy(() => checkLustreAttributes({ ...attrs, ...override })).name).toBe(name);
  });
});

describe('checkCanAddDataRepositoryAssociation', () => {
  const target = { existingAssociations: 0, deploymentType: P2, fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_15, automaticBackupRetentionDays: 0 };
  test.each<[string, object, string, RegExp]>([
    ['the ninth', { existingAssociations: 8 }, 'us-east-1', /at most 8 data repository associations/],
    ['SCRATCH_1', { deploymentType: S1 }, 'us-east-1', /SCRATCH_1 file systems do not support data repository associations/],
    ['Lustre 2.10', { fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_10 }, 'us-east-1', /need Lustre 2.12 or 2.15 \(got 2.10\)/],
    ['a legacy link', { importPath: 's3://a/b' }, 'us-east-1', /legacy importPath\/exportPath\/autoImportPolicy link/],
    ['backups', { automaticBackupRetentionDays: 7 }, 'us-east-1', /automatic backups \(automaticBackupRetention 7 days\)/],
  ])('refuses %s', (_name, override, region, message) => {
    const error = thrownBy(() => checkCanAddDataRepositoryAssociation('Link', { ...target, ...override }, regionCapabilities(region)));
    expect(error.message).toMatch(/^data repository association 'Link': /);
    expect(error.message).toMatch(message);
  });

  test('a token backup retention is not known to be on, so the association is allowed', () => {
    const days = new CfnParameter(new Stack(), 'Days', { type: 'Number' }).valueAsNumber;
    expect(() => checkCanAddDataRepositoryAssociation('Link', { ...target, automaticBackupRetentionDays: days }, US_EAST_1)).not.toThrow();
  });
});
