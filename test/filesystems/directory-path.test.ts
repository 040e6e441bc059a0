import { App, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ChannelInputError, efsDirectoryPath, efsDirectoryPathFromLambdaPath, fileSystemChannel, fsxLustreDirectoryPath, joinDirectoryPath,
  validateTrainingChannelName, validateFileSystemId, validateLambdaMountPath,
} from '../../contract/sagemaker-channel';
import {
  EfsDatasetFileSystem, FileSystemAccessMode, FileSystemChannel, LustreDatasetFileSystem, TrainingNetwork,
} from '../../lib';

describe('joinDirectoryPath (the one DirectoryPath derivation, shared by constructs and the launcher)', () => {
  test.each<[string, string[], string]>([
    ['plain parts', ['abcd1234', 'datasets', 'cifar10/train'], '/abcd1234/datasets/cifar10/train'],
    ['leading and trailing slashes of each part', ['/abcd1234/', '/datasets/', '/cifar10/train/'], '/abcd1234/datasets/cifar10/train'],
    ['a root DRA path adds nothing', ['abcd1234', '/', 'x'], '/abcd1234/x'],
    ['empty parts add nothing', ['', 'datasets', ''], '/datasets'],
    ['no parts is the root', [], '/'],
    ['a token is an opaque segment', ['${Token[TOKEN.42]}', '/datasets', 'a'], '/${Token[TOKEN.42]}/datasets/a'],
    ['dots inside names are fine', ['v1.2', 'file.tfrecord.d'], '/v1.2/file.tfrecord.d'],
  ])('%s', (_name, parts, expected) => {
    expect(joinDirectoryPath(parts)).toBe(expected);
  });

  test.each<[string, string[], RegExp]>([
    ['..', ['datasets', '../etc'], /contains a '\.\.' segment/],
    ['. segment', ['datasets', './x'], /contains a '\.' segment/],
    ['empty segment', ['datasets', 'a//b'], /empty segment \('\/\/'\)/],
    ['NUL', ['datasets', 'a\0b'], /NUL character/],
    ['over 4096 characters', ['x'.repeat(4096)], /4097 characters long; SageMaker accepts at most 4096/],
  ])('rejects %s', (_name, parts, message) => {
    expect(() => joinDirectoryPath(parts)).toThrow(ChannelInputError);
    expect(() => joinDirectoryPath(parts)).toThrow(message);
  });

  test('exactly 4096 characters is accepted', () => {
    expect(joinDirectoryPath(['x'.repeat(4095)])).toHaveLength(4096);
  });

  test('FSx paths start with the mount name; EFS paths with the access point root', () => {
    expect(fsxLustreDirectoryPath('1234abcd', '/ns1', '')).toBe('/1234abcd/ns1');
    expect(fsxLustreDirectoryPath('fsx', '/sagemaker', 'xgboost/train')).toBe('/fsx/sagemaker/xgboost/train');
    expect(() => fsxLustreDirectoryPath('/', '/ns1', 'x')).toThrow(/mount name is empty/);
    expect(efsDirectoryPath('/datasets', 'cifar10/train')).toBe('/datasets/cifar10/train');
  });

  test('a path a Lambda sees below its mount maps to the training job path', () => {
    expect(efsDirectoryPathFromLambdaPath('/mnt/datasets', '/datasets', '/mnt/datasets/cifar10/train')).toBe('/datasets/cifar10/train');
    expect(efsDirectoryPathFromLambdaPath('/mnt/datasets', '/datasets', '/mnt/datasets')).toBe('/datasets');
    expect(() => efsDirectoryPathFromLambdaPath('/mnt/datasets', '/datasets', '/mnt/datasets2/x')).toThrow(/not below the Lambda's EFS mount \/mnt\/datasets/);
    expect(() => efsDirectoryPathFromLambdaPath('/mnt/a/b', '/datasets', '/mnt/a/b/x')).toThrow(/Lambda mounts file systems at \/mnt\/<name>/);
  });
});

describe('channel inputs', () => {
  test.each(['train', 'Validation-1', 'a.b_c', 'x'.repeat(64)])('channel name %s is valid', (name) => {
    expect(() => validateTrainingChannelName(name)).not.toThrow();
  });

  test.each(['', 'has space', 'slash/name', 'ünïcode', 'x'.repeat(65)])('channel name %j is rejected', (name) => {
    expect(() => validateTrainingChannelName(name)).toThrow(/Channel name .* is invalid: use 1-64 characters of A-Z, a-z, 0-9, "\.", "-" and "_"/);
  });

  test.each(['fs-0123abcd', 'fs-0123456789abcdef0'])('file-system id %s is valid', (id) => {
    expect(() => validateFileSystemId(id)).not.toThrow();
  });

  test.each(['fs-123', 'fs-0123ABCD', 'efs-0123abcd', 'fs-0123456789abcdef012'])('file-system id %s is rejected', (id) => {
    expect(() => validateFileSystemId(id)).toThrow(/is invalid: expected fs- followed by at least 8 lowercase hex digits/);
  });

  test.each(['/mnt/datasets', '/mnt/a-b_c.d'])('Lambda mount path %s is valid', (path) => {
    expect(() => validateLambdaMountPath(path)).not.toThrow();
  });

  test.each(['/mnt', '/mnt/', '/efs/datasets', '/mnt/a/b'])('Lambda mount path %s is rejected', (path) => {
    expect(() => validateLambdaMountPath(path)).toThrow(/Lambda mounts file systems at \/mnt\/<name>/);
  });

  test('fileSystemChannel renders the exact CreateTrainingJob Channel', () => {
    expect(fileSystemChannel({ channelName: 'train', fileSystemId: 'fs-0123456789abcdef0', fileSystemType: 'FSxLustre', directoryPath: '/abcd1234/datasets/x', accessMode: 'ro' }))
      .toEqual({
        ChannelName: 'train',
        DataSource: { FileSystemDataSource: { FileSystemId: 'fs-0123456789abcdef0', FileSystemType: 'FSxLustre', DirectoryPath: '/abcd1234/datasets/x', FileSystemAccessMode: 'ro' } },
        InputMode: 'File',
      });
  });

  test.each<[string, object, RegExp]>([
    ['a relative path', { directoryPath: 'datasets/x' }, /is not normalized: use "\/datasets\/x"/],
    ['a trailing slash', { directoryPath: '/datasets/x/' }, /is not normalized: use "\/datasets\/x"/],
    ['a wrong type case', { fileSystemType: 'fsxlustre' }, /FileSystemType "fsxlustre" is invalid: use EFS or FSxLustre \(exact case\)/],
    ['an uppercase access mode', { accessMode: 'RO' }, /FileSystemAccessMode "RO" is invalid: use ro or rw \(lowercase\)/],
    ['a bad id', { fileSystemId: 'fs-zzz' }, /File-system id "fs-zzz" is invalid/],
  ])('fileSystemChannel rejects %s', (_name, override, message) => {
    const input = { channelName: 'train', fileSystemId: 'fs-0123abcd', fileSystemType: 'EFS' as const, directoryPath: '/datasets/x', accessMode: 'ro' as const, ...override };
    expect(() => fileSystemChannel(input as Parameters<typeof fileSystemChannel>[0])).toThrow(message);
  });
});

describe('DirectoryPath derivation in the constructs', () => {
  const app = new App();
  const stack = new Stack(app, 'Paths', { env: { region: 'us-east-1' } });
  const network = new TrainingNetwork(stack, 'Network');
  const lustre = new LustreDatasetFileSystem(stack, 'Lustre', { network });
  const association = lustre.addDataRepositoryAssociation('Link', {
    fileSystemPath: '/datasets',
    bucket: new s3.Bucket(stack, 'Bucket'),
    bucketPrefix: 'datasets/',
  });
  const efsStack = new Stack(app, 'EfsPaths', { env: { region: 'cn-north-1' } });
  const efsNetwork = new TrainingNetwork(efsStack, 'Network');
  const efsFs = new EfsDatasetFileSystem(efsStack, 'Efs', { network: efsNetwork });
  const mountName = { 'Fn::GetAtt': [stack.getLogicalId(lustre.fileSystem), 'LustreMountName'] };

  test('new FSx: /<mount name token>/datasets/<dataset> as an exact Fn::Join', () => {
    expect(stack.resolve(lustre.directoryPath('cifar10/train'))).toEqual({ 'Fn::Join': ['', ['/', mountName, '/datasets/cifar10/train']] });
    expect(stack.resolve(lustre.datasetRootDirectory)).toEqual({ 'Fn::Join': ['', ['/', mountName, '/datasets']] });
  });

  test('new FSx: the training channel holds the same path, id and type, rendered in the API shape', () => {
    const channel = lustre.trainingChannel('train', 'cifar10/train');
    expect(stack.resolve(FileSystemChannel.render(channel))).toEqual({
      ChannelName: 'train',
      DataSource: {
        FileSystemDataSource: {
          FileSystemId: { Ref: stack.getLogicalId(lustre.fileSystem) },
          FileSystemType: 'FSxLustre',
          DirectoryPath: { 'Fn::Join': ['', ['/', mountName, '/datasets/cifar10/train']] },
          FileSystemAccessMode: 'ro',
        },
      },
      InputMode: 'File',
    });
    expect(lustre.trainingChannel('train', 'x', FileSystemAccessMode.READ_WRITE).accessMode).toBe('rw');
  });

  test('a data repository association derives paths below its own directory and the S3 prefix to write to', () => {
    expect(stack.resolve(association.directoryPath('cifar10'))).toEqual({ 'Fn::Join': ['', ['/', mountName, '/datasets/cifar10']] });
    expect(association.s3KeyPrefix('cifar10/train')).toBe('datasets/cifar10/train/');
    expect(association.s3KeyPrefix('')).toBe('datasets/');
  });

  test('imported FSx with a concrete mount name gives a plain string', () => {
    const imported = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'ImportedLustre', {
      fileSystemId: 'fs-0123456789abcdef0',
      mountName: 'abcd1234',
      securityGroupId: 'sg-12345678', subnetId: 'subnet-0e00891ec135cb1e5', availabilityZone: 'us-east-1a',
    });
    expect(imported.directoryPath('cifar10/train')).toBe('/abcd1234/datasets/cifar10/train');
    expect(FileSystemChannel.render(imported.trainingChannel('train', 'cifar10/train')).DataSource.FileSystemDataSource)
      .toEqual({ FileSystemId: 'fs-0123456789abcdef0', FileSystemType: 'FSxLustre', DirectoryPath: '/abcd1234/datasets/cifar10/train', FileSystemAccessMode: 'ro' });
  });

  test('imported FSx with a token mount name (a parameter) gives an exact Fn::Join', () => {
    const mount = new CfnParameter(stack, 'MountName', { type: 'String' });
    const imported = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'TokenLustre', {
      fileSystemId: 'fs-0123456789abcdef0',
      mountName: mount.valueAsString,
      datasetDirectory: '/',
      securityGroupId: 'sg-12345678', subnetId: 'subnet-0e00891ec135cb1e5', availabilityZone: 'us-east-1a',
    });
    expect(stack.resolve(imported.directoryPath('train'))).toEqual({ 'Fn::Join': ['', ['/', { Ref: 'MountName' }, '/train']] });
  });

  test('new EFS: the access point root starts every path, and Lambda paths map onto it', () => {
    expect(efsFs.directoryPath('cifar10/train')).toBe('/datasets/cifar10/train');
    expect(efsFs.datasetRootDirectory).toBe('/datasets');
    expect(efsFs.directoryPathForLambdaPath('/mnt/datasets', '/mnt/datasets/cifar10/train')).toBe('/datasets/cifar10/train');
    expect(efsStack.resolve(FileSystemChannel.render(efsFs.trainingChannel('train', 'cifar10/train')))).toEqual({
      ChannelName: 'train',
      DataSource: { FileSystemDataSource: { FileSystemId: { Ref: efsStack.getLogicalId(efsFs.fileSystem.node.defaultChild as CfnResource) }, FileSystemType: 'EFS', DirectoryPath: '/datasets/cifar10/train', FileSystemAccessMode: 'ro' } },
      InputMode: 'File',
    });
  });

  test('imported EFS derives from its dataset directory', () => {
    const imported = EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes(efsStack, 'ImportedEfs', {
      fileSystemId: 'fs-0123abcd',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(efsStack, 'ImportedEfsSg', 'sg-12345678'),
      subnets: efsNetwork.trainingSubnetList(),
      datasetDirectory: '/team/datasets',
    });
    expect(imported.directoryPath('cifar10')).toBe('/team/datasets/cifar10');
    expect(imported.trainingChannel('train', 'cifar10').directoryPath).toBe('/team/datasets/cifar10');
  });

  test.each<[string, () => unknown, RegExp]>([
    ['a .. dataset path', () => lustre.directoryPath('../secrets'), /Paths\/Lustre: DirectoryPath part "\.\.\/secrets" contains a '\.\.' segment/],
    ['a doubled slash', () => efsFs.directoryPath('a//b'), /EfsPaths\/Efs: DirectoryPath part "a\/\/b" has an empty segment/],
    ['a bad channel name', () => efsFs.trainingChannel('my channel', 'x'), /EfsPaths\/Efs: Channel name "my channel" is invalid/],
    ['a Lambda path outside the mount', () => efsFs.directoryPathForLambdaPath('/mnt/datasets', '/tmp/x'), /is not below the Lambda's EFS mount/],
    ['read-write on a read-only EFS policy', () => efsFs.trainingChannel('train', 'x', FileSystemAccessMode.READ_WRITE),
      /asks for read-write, but the file-system policy lets training jobs mount read-only. Create the file system with trainingAccessMode: FileSystemAccessMode.READ_WRITE/],
  ])('rejects %s with the construct path', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
