import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DatasetFileSystemType, DatasetFileSystems, DatasetPlatformStack, DatasetStorage, DatasetStorageType, EfsDatasetFileSystem, LustreDatasetFileSystem,
  S3InputMode,
} from '../../lib';
import { platformApp, templatesByRegion } from '../support/platform-app';
import { libraryWarnings, networkStack, rulesOf } from './support';

describe('DatasetFileSystems.forRegion', () => {
  function forRegion(region: string | null, extra: Partial<Parameters<typeof DatasetFileSystems.forRegion>[2]> = {}) {
    const { stack, network } = networkStack(region);
    const bucket = new s3.Bucket(stack, 'Bucket');
    const fs = DatasetFileSystems.forRegion(stack, 'Datasets', { network, datasetBucket: bucket, ...extra });
    return { stack, network, bucket, fs };
  }

  test('us-east-1: FSx for Lustre linked to datasets/ of the bucket at /datasets, no warning', () => {
    const { stack, bucket, fs } = forRegion('us-east-1');
    expect(LustreDatasetFileSystem.isLustreDatasetFileSystem(fs)).toBe(true);
    const lustre = fs as LustreDatasetFileSystem;
    expect(lustre.dataRepositoryAssociations).toHaveLength(1);
    expect(lustre.dataRepositoryAssociations[0].bucket).toBe(bucket);
    Template.fromStack(stack).hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      FileSystemPath: '/datasets',
      DataRepositoryPath: { 'Fn::Join': ['', ['s3://', { Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) }, '/datasets/']] },
    });
    expect(libraryWarnings(stack)).toEqual([]);
  });

  test('cn-north-1: EFS, with a warning that says why and what to do', () => {
    const { stack, fs } = forRegion('cn-north-1');
    expect(EfsDatasetFileSystem.isEfsDatasetFileSystem(fs)).toBe(true);
    expect(fs.fileSystemType).toBe(DatasetFileSystemType.EFS);
    Template.fromStack(stack).resourceCountIs('AWS::FSx::FileSystem', 0);
    expect(libraryWarnings(stack)).toEqual([expect.stringMatching(
      /^EFS instead of FSx for Lustre in cn-north-1: SageMaker FSx for Lustre channel: UNAVAILABLE .*datasets reach it only through the writer access point .*assumeSageMakerFsxChannelSupported: true only after verifying/)]);
    Annotations.fromStack(stack).hasWarning('/Test/Datasets', Match.stringLikeRegexp('efsFallback'));
  });

  test('cn-north-1 with the override: FSx for Lustre and a warning that it is unverified', () => {
    const { stack, fs } = forRegion('cn-north-1', { assumeSageMakerFsxChannelSupported: true });
    expect(fs.fileSystemType).toBe(DatasetFileSystemType.FSX_LUSTRE);
    expect(libraryWarnings(stack)).toEqual([expect.stringMatching(/assumeSageMakerFsxChannelSupported is set for cn-north-1/)]);
  });

  test('EFS when preferred, even where FSx works; options reach the chosen kind', () => {
    const efs = forRegion('us-east-1', { preferredType: DatasetStorageType.EFS, efs: { datasetDirectory: '/data' } });
    expect(efs.fs.fileSystemType).toBe(DatasetFileSystemType.EFS);
    expect(efs.fs.datasetRootDirectory).toBe('/data');
    expect(libraryWarnings(efs.stack)).toEqual([]);
    const lustre = forRegion('us-east-1', { lustre: { storageCapacityGiB: 2400, datasetDirectory: '/data' }, datasetBucketPrefix: 'data/' });
    Template.fromStack(lustre.stack).hasResourceProperties('AWS::FSx::FileSystem', { StorageCapacity: 2400 });
    Template.fromStack(lustre.stack).hasResourceProperties('AWS::FSx::DataRepositoryAssociation', { FileSystemPath: '/data', DataRepositoryPath: Match.objectLike({}) });
  });

  test.each<[string | null, RegExp]>([
    [null, /^DatasetStorage.forRegion Test\/Datasets: FSx for Lustre was requested but the stack has no concrete region/],
    ['eu-isoe-west-1', /^DatasetStorage.forRegion Test\/Datasets: eu-isoe-west-1 has no SageMaker training jobs, so no dataset storage can serve them/],
    ['ap-southeast-6', /^DatasetFileSystems.forRegion Test\/Datasets: no dataset file system here \(No dataset file system in ap-southeast-6: .*\) Use DatasetStorage.forRegion, which reads datasets from S3/],
  ])('%s fails with what to change', (region, message) => {
    expect(() => forRegion(region)).toThrow(message);
  });
});

describe('DatasetStorage.forRegion: the three tiers', () => {
  function storageIn(region: string | null, extra: Partial<Parameters<typeof DatasetStorage.forRegion>[2]> = {}) {
    const { stack, network } = networkStack(region);
    const bucket = new s3.Bucket(stack, 'Bucket');
    const storage = DatasetStorage.forRegion(stack, 'Datasets', { network, datasetBucket: bucket, ...extra });
    return { stack, storage, template: Template.fromStack(stack) };
  }

  test.each<[string, DatasetStorageType, DatasetFileSystemType | undefined]>([
    ['us-east-1', DatasetStorageType.FSX_LUSTRE, DatasetFileSystemType.FSX_LUSTRE],
    ['cn-north-1', DatasetStorageType.EFS, DatasetFileSystemType.EFS],
    ['ap-southeast-6', DatasetStorageType.S3, undefined],
  ])('%s: %s', (region, storageType, fileSystemType) => {
    const { storage } = storageIn(region);
    expect(storage.storageType).toBe(storageType);
    expect(storage.fileSystem?.fileSystemType).toBe(fileSystemType);
    expect(storage.s3InputMode).toBe(S3InputMode.FAST_FILE);
  });

  test('ap-southeast-6: no file system at all, and a warning that says why and what it costs', () => {
    const { stack, storage, template } = storageIn('ap-southeast-6');
    expect(storage.fileSystem).toBeUndefined();
    for (const type of ['AWS::FSx::FileSystem', 'AWS::FSx::DataRepositoryAssociation', 'AWS::EFS::FileSystem', 'AWS::EFS::AccessPoint', 'AWS::EFS::MountTarget']) {
      template.resourceCountIs(type, 0);
    }
    expect(storage.reason).toMatch(/^No dataset file system in ap-southeast-6: FSx for Lustre is blocked by AWS::FSx::FileSystem: UNAVAILABLE/);
    expect(libraryWarnings(stack)).toEqual([expect.stringMatching(new RegExp(
      '^No dataset file system in ap-southeast-6: FSx for Lustre is blocked by AWS::FSx::FileSystem: UNAVAILABLE .*; and EFS is blocked by Lambda EFS mount ' +
      '\\(the converter writes EFS\\): UNAVAILABLE .* The platform deploys without a file system \\(Test/Datasets creates nothing\\): training channels read ' +
      'the pinned dataset version straight from the dataset bucket in FastFile mode\\. What it costs is start-up time on every job .*File downloads the whole version'))]);
    Annotations.fromStack(stack).hasWarning('/Test', Match.stringLikeRegexp('s3Fallback'));
  });

  test('S3 when preferred, in any region and without a concrete one: no file system, no warning; File mode as an option', () => {
    for (const region of ['us-east-1', 'cn-north-1', null]) {
      const { stack, storage, template } = storageIn(region, { preferredType: DatasetStorageType.S3, s3InputMode: S3InputMode.FILE });
      expect([storage.storageType, storage.fileSystem, storage.s3InputMode, storage.reason]).toEqual([DatasetStorageType.S3, undefined, S3InputMode.FILE, 'S3 was requested.']);
      template.resourceCountIs('AWS::FSx::FileSystem', 0);
      template.resourceCountIs('AWS::EFS::FileSystem', 0);
      expect(libraryWarnings(stack)).toEqual([]);
    }
  });

  test('an existing file system, or the S3 tier, without a region choice', () => {
    const { stack, network } = networkStack('us-east-1');
    const efs = new EfsDatasetFileSystem(stack, 'Efs', { network });
    // The file system by identity: a structural comparison walks the whole construct tree (minutes).
    const storage = DatasetStorage.fromFileSystem(efs);
    expect(storage.fileSystem).toBe(efs);
    expect(storage).toMatchObject({ storageType: DatasetStorageType.EFS, s3InputMode: S3InputMode.FAST_FILE });
    expect(DatasetStorage.s3(S3InputMode.FILE)).toMatchObject({ storageType: DatasetStorageType.S3, fileSystem: undefined, s3InputMode: S3InputMode.FILE });
  });
});

describe('the example app wires the file system with the same code in every region', () => {
  const app = platformApp(['us-east-1', 'cn-north-1']);
  const templates = templatesByRegion(app);
  const stacks = new Map(app.node.children.filter((c): c is DatasetPlatformStack => c instanceof DatasetPlatformStack).map((s) => [s.region, s]));
  const east = templates.get('us-east-1')!;
  const china = templates.get('cn-north-1')!;
  const eastStack = stacks.get('us-east-1')!;

  test('us-east-1: one 1.2 TiB PERSISTENT_2 Lustre file system linked to datasets/ of the dataset bucket', () => {
    expect(eastStack.fileSystem!.fileSystemType).toBe(DatasetFileSystemType.FSX_LUSTRE);
    east.resourceCountIs('AWS::FSx::FileSystem', 1);
    east.resourceCountIs('AWS::EFS::FileSystem', 0);
    east.hasResourceProperties('AWS::FSx::FileSystem', { StorageCapacity: 1200, LustreConfiguration: Match.objectLike({ DeploymentType: 'PERSISTENT_2' }) });
    east.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      FileSystemPath: '/datasets',
      DataRepositoryPath: { 'Fn::Join': ['', ['s3://', { Ref: eastStack.getLogicalId(eastStack.datasetBucket.node.defaultChild as s3.CfnBucket) }, '/datasets/']] },
      S3: { AutoImportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] } },
    });
  });

  test('us-east-1: training jobs reach the file system on the Lustre ports only', () => {
    const rules = rulesOf(east, 'DatasetFileSystemSecurityGroup');
    const training = rules.filter((r) => r.peer === 'NetworkTrainingSecurityGroup' || r.group === 'NetworkTrainingSecurityGroup');
    // Both Lustre port ranges: ingress and egress on the file-system group, ingress (server callbacks)
    // and egress (the closed training group's outbound rule) on the training group.
    expect(training).toHaveLength(8);
    expect(new Set(rules.map((r) => `${r.protocol}:${r.from}-${r.to}`))).toEqual(new Set(['tcp:988-988', 'tcp:1018-1023']));
    expect(rules.filter((r) => r.peer.startsWith('CIDR'))).toEqual([]);
  });

  test('cn-north-1: EFS, no FSx, NFS from the training group, and the dataset bucket too', () => {
    const chinaStack = stacks.get('cn-north-1')!;
    expect(chinaStack.fileSystem!.fileSystemType).toBe(DatasetFileSystemType.EFS);
    china.resourceCountIs('AWS::FSx::FileSystem', 0);
    china.resourceCountIs('AWS::FSx::DataRepositoryAssociation', 0);
    china.resourceCountIs('AWS::EFS::FileSystem', 1);
    const rules = rulesOf(china, 'DatasetFileSystemSecurityGroup');
    expect(rules).toContainEqual({ direction: 'ingress', group: 'DatasetFileSystemSecurityGroup', peer: 'NetworkTrainingSecurityGroup', protocol: 'tcp', from: 2049, to: 2049 });
    expect(rules).toContainEqual({ direction: 'egress', group: 'NetworkTrainingSecurityGroup', peer: 'DatasetFileSystemSecurityGroup', protocol: 'tcp', from: 2049, to: 2049 });
    // Other clients (the platform's writers) get the same pair of rules and nothing else: NFS into
    // the file system's group, and NFS out of their own (closed-egress) group to it.
    for (const rule of rules) {
      const intoFileSystem = { direction: 'ingress', group: 'DatasetFileSystemSecurityGroup', peer: expect.not.stringMatching(/^CIDR/), protocol: 'tcp', from: 2049, to: 2049 };
      const outOfClient = { direction: 'egress', group: expect.any(String), peer: 'DatasetFileSystemSecurityGroup', protocol: 'tcp', from: 2049, to: 2049 };
      expect(rule).toEqual(rule.direction === 'ingress' ? intoFileSystem : outOfClient);
    }
    expect(chinaStack.datasetStorage.bucket).toBe(chinaStack.datasetBucket);
  });

  test('both: training subnets and channels come from the interface', () => {
    expect(eastStack.fileSystem!.trainingSubnets.subnets).toHaveLength(1);
    expect(stacks.get('cn-north-1')!.fileSystem!.trainingSubnets.subnets).toHaveLength(2);
    expect(stacks.get('cn-north-1')!.fileSystem!.trainingChannel('train', 'cifar10/train').directoryPath).toBe('/datasets/cifar10/train');
  });
});
