/* eslint-disable @typescript-eslint/no-require-imports -- loading the library twice is the point */
import { App, RemovalPolicy, Resource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EfsDatasetFileSystem, LustreDataRepositoryAssociation, LustreDatasetFileSystem, TrainingNetwork } from '../../lib';

type Library = typeof import('../../lib');
type Cdk = typeof import('aws-cdk-lib');

/** A fresh copy of the library (and of aws-cdk-lib), as an app that installed it twice would load it. */
function loadCopy(): { lib: Library; cdk: Cdk } {
  let copy: { lib: Library; cdk: Cdk } | undefined;
  jest.isolateModules(() => {
    copy = { lib: require('../../lib') as Library, cdk: require('aws-cdk-lib') as Cdk };
  });
  return copy!;
}

describe('isX() recognizes objects made by another installed copy of the library', () => {
  const a = loadCopy();
  const b = loadCopy();
  const stack = new a.cdk.Stack(new a.cdk.App(), 'CopyA', { env: { region: 'us-east-1' } });
  const network = new a.lib.TrainingNetwork(stack, 'Network');
  const lustre = new a.lib.LustreDatasetFileSystem(stack, 'Lustre', { network });
  const bucket = new a.lib.SecureBucket(stack, 'Bucket');
  const association = lustre.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket: bucket.bucket, bucketPrefix: 'datasets/' });
  const efsFs = new a.lib.EfsDatasetFileSystem(stack, 'Efs', { network });

  test('the two copies are distinct classes, so instanceof fails across them', () => {
    expect(a.lib.LustreDatasetFileSystem).not.toBe(b.lib.LustreDatasetFileSystem);
    expect(lustre instanceof b.lib.LustreDatasetFileSystem).toBe(false);
    expect(efsFs instanceof b.lib.EfsDatasetFileSystem).toBe(false);
  });

  test.each<[string, (copy: Library, x: unknown) => boolean, () => unknown]>([
    ['LustreDatasetFileSystem', (copy, x) => copy.LustreDatasetFileSystem.isLustreDatasetFileSystem(x), () => lustre],
    ['EfsDatasetFileSystem', (copy, x) => copy.EfsDatasetFileSystem.isEfsDatasetFileSystem(x), () => efsFs],
    ['SecureBucket', (copy, x) => copy.SecureBucket.isSecureBucket(x), () => bucket],
    ['LustreDataRepositoryAssociation', (copy, x) => copy.LustreDataRepositoryAssociation.isLustreDataRepositoryAssociation(x), () => association],
  ])('%s: copy B recognizes copy A\'s object', (_name, guard, made) => {
    expect(guard(a.lib, made())).toBe(true);
    expect(guard(b.lib, made())).toBe(true);
  });

  test.each<[string, unknown]>([
    ['null', null], ['undefined', undefined], ['a string', 'LustreDatasetFileSystem'], ['a plain object', {}],
  ])('no guard accepts %s', (_name, x) => {
    expect(b.lib.LustreDatasetFileSystem.isLustreDatasetFileSystem(x)).toBe(false);
    expect(b.lib.EfsDatasetFileSystem.isEfsDatasetFileSystem(x)).toBe(false);
    expect(b.lib.SecureBucket.isSecureBucket(x)).toBe(false);
    expect(b.lib.LustreDataRepositoryAssociation.isLustreDataRepositoryAssociation(x)).toBe(false);
  });

  test('guards tell the kinds apart, and an imported file system is not a created one', () => {
    const imported = a.lib.LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'Imported', {
      fileSystemId: 'fs-0123abcd', mountName: 'abcd1234', securityGroupId: 'sg-12345678', subnetId: 'subnet-1', availabilityZone: 'us-east-1a',
    });
    expect(b.lib.LustreDatasetFileSystem.isLustreDatasetFileSystem(imported)).toBe(false);
    expect(b.lib.LustreDatasetFileSystem.isLustreDatasetFileSystem(efsFs)).toBe(false);
    expect(b.lib.EfsDatasetFileSystem.isEfsDatasetFileSystem(lustre)).toBe(false);
    expect(b.lib.SecureBucket.isSecureBucket(bucket.bucket)).toBe(false);
  });
});

describe('file systems are aws-cdk-lib Resources', () => {
  const app = new App();
  const stack = new Stack(app, 'Platform', { env: { account: '111111111111', region: 'us-east-1' } });
  const network = new TrainingNetwork(stack, 'Network');

  test('new Lustre and EFS file systems: Resource.isResource, the stack\'s environment, applyRemovalPolicy reaches the L1', () => {
    const lustre = new LustreDatasetFileSystem(stack, 'Lustre', { network });
    const efsFs = new EfsDatasetFileSystem(stack, 'Efs', { network });
    for (const fs of [lustre, efsFs]) {
      expect(Resource.isResource(fs)).toBe(true);
      expect(fs.env).toEqual({ account: '111111111111', region: 'us-east-1' });
      expect(fs.stack).toBe(stack);
    }
    lustre.applyRemovalPolicy(RemovalPolicy.DESTROY);
    expect(lustre.fileSystem.cfnOptions.deletionPolicy).toBe('Delete');
  });

  test('imported file systems take their environment from the file-system ARN, as aws-cdk-lib imports do', () => {
    const lustre = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'ImportedLustre', {
      fileSystemId: 'fs-0123abcd', mountName: 'abcd1234', securityGroupId: 'sg-12345678', subnetId: 'subnet-1', availabilityZone: 'us-east-1a',
    });
    const efsFs = EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes(stack, 'ImportedEfs', {
      fileSystemId: 'fs-0123abcd', securityGroup: network.trainingSecurityGroup, subnets: network.trainingSubnetList(),
    });
    for (const fs of [lustre, efsFs]) {
      expect(Resource.isResource(fs)).toBe(true);
      expect(fs.env).toEqual({ account: '111111111111', region: 'us-east-1' });
    }
    expect(efsFs.fileSystemArn).toMatch(/:elasticfilesystem:us-east-1:111111111111:file-system\/fs-0123abcd$/);
  });

  test('the ingestion\'s auto-import scan finds associations through the guard', () => {
    const bucket = new s3.Bucket(stack, 'Datasets');
    const lustre = new LustreDatasetFileSystem(stack, 'Linked', { network });
    const association = lustre.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket, bucketPrefix: 'datasets/' });
    expect(LustreDataRepositoryAssociation.isLustreDataRepositoryAssociation(association)).toBe(true);
    expect(stack.node.findAll().filter((n) => LustreDataRepositoryAssociation.isLustreDataRepositoryAssociation(n))).toEqual([association]);
  });
});
