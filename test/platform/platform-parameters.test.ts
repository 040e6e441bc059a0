import { App, CfnOutput, CfnParameter, CfnResource, Errors, Fn, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DatasetPlatformApp, DatasetPlatformHandles, DatasetPlatformParameters, DatasetPlatformStack, DatasetStorage, DatasetStorageType, EfsDatasetFileSystem,
  LustreDatasetFileSystem, PlatformParameter, TrainingEndpoint, TrainingJobLauncher, TrainingNetwork,
} from '../../lib';
import { nagFindings } from '../support/nag';

const PREFIX = '/cdk-sagemaker-datasets/DatasetPlatform-us-east-1';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The published parameters of a template, by name relative to `prefix`. */
function published(template: Template, prefix: string): Map<string, unknown> {
  const parameters = template.findResources('AWS::SSM::Parameter') as Resources;
  return new Map(Object.values(parameters).map((resource) => [
    String(resource.Properties.Name).slice(prefix.length + 1), resource.Properties.Value,
  ]));
}

function teamStack(): Stack {
  return new Stack(new App(), 'Team', { env: { region: 'us-east-1', account: '111122223333' } });
}

describe('DatasetPlatformStack publishes its handles', () => {
  // One synthesis per region: the platform stack is large.
  const lustreApp = new App();
  const lustreStack = new DatasetPlatformStack(lustreApp, 'DatasetPlatform-us-east-1', { env: { region: 'us-east-1' } });
  const lustre = Template.fromStack(lustreStack);

  test('as SSM String parameters under /cdk-sagemaker-datasets/<stack name>, one per handle', () => {
    const names = [...published(lustre, PREFIX).keys()].sort();
    expect(names).toEqual([
      PlatformParameter.VPC_ID, PlatformParameter.AVAILABILITY_ZONES, PlatformParameter.TRAINING_SUBNET_IDS,
      PlatformParameter.TRAINING_SUBNET_ROUTE_TABLE_IDS, PlatformParameter.TRAINING_SUBNET_COUNT, PlatformParameter.TRAINING_SUBNETS_HAVE_EGRESS,
      PlatformParameter.TRAINING_SECURITY_GROUP_ID, PlatformParameter.ENDPOINT_SECURITY_GROUP_ID, PlatformParameter.INTERFACE_ENDPOINTS,
      PlatformParameter.S3_PREFIX_LIST_ID, PlatformParameter.STORAGE_TYPE, PlatformParameter.S3_INPUT_MODE,
      PlatformParameter.LUSTRE_FILE_SYSTEM_ID, PlatformParameter.LUSTRE_MOUNT_NAME, PlatformParameter.LUSTRE_DNS_NAME,
      PlatformParameter.LUSTRE_SECURITY_GROUP_ID, PlatformParameter.LUSTRE_SUBNET_ID, PlatformParameter.LUSTRE_AVAILABILITY_ZONE,
      PlatformParameter.LUSTRE_DATASET_DIRECTORY,
      PlatformParameter.DATASET_BUCKET_NAME, PlatformParameter.DATASET_BUCKET_ARN, PlatformParameter.UPLOAD_BUCKET_NAME, PlatformParameter.UPLOAD_BUCKET_ARN,
      PlatformParameter.LAUNCHER_FUNCTION_ARN, PlatformParameter.LAUNCHER_FUNCTION_NAME,
      PlatformParameter.EVENT_BUS_NAME, PlatformParameter.EVENT_BUS_ARN, PlatformParameter.EVENT_SOURCE,
      PlatformParameter.NETWORK_IMPORT, PlatformParameter.LUSTRE_IMPORT,
    ].sort());
    lustre.allResourcesProperties('AWS::SSM::Parameter', { Type: 'String', Tier: 'Standard', Name: Match.stringLikeRegexp(`^${PREFIX}/`) });
    expect(lustreStack.handles.parameterPrefix).toBe(PREFIX);
  });

  test('the network handles reference the VPC, its training subnets in order, their route tables and both groups', () => {
    const values = published(lustre, PREFIX);
    const ref = (type: string, pattern: RegExp) => Object.entries(lustre.findResources(type) as Resources)
      .filter(([id]) => pattern.test(id)).map(([id]) => id).sort();
    const [subnetA, subnetB] = ref('AWS::EC2::Subnet', /^NetworkVpc/);
    const [tableA, tableB] = ref('AWS::EC2::RouteTable', /^NetworkVpc/);
    expect(values.get(PlatformParameter.VPC_ID)).toEqual({ Ref: ref('AWS::EC2::VPC', /./)[0] });
    expect(values.get(PlatformParameter.TRAINING_SUBNET_IDS)).toEqual({ 'Fn::Join': [',', [{ Ref: subnetA }, { Ref: subnetB }]] });
    expect(values.get(PlatformParameter.TRAINING_SUBNET_ROUTE_TABLE_IDS)).toEqual({ 'Fn::Join': [',', [{ Ref: tableA }, { Ref: tableB }]] });
    // An account-agnostic stack names its AZs with Fn::GetAZs, one per subnet.
    expect(values.get(PlatformParameter.AVAILABILITY_ZONES)).toEqual({ 'Fn::Join': [',', [0, 1].map((index) => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] }))] });
    expect(values.get(PlatformParameter.TRAINING_SUBNET_COUNT)).toBe('2');
    expect(values.get(PlatformParameter.TRAINING_SUBNETS_HAVE_EGRESS)).toBe('false');
    expect(values.get(PlatformParameter.TRAINING_SECURITY_GROUP_ID)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NetworkTrainingSecurityGroup/), 'GroupId'] });
    expect(values.get(PlatformParameter.ENDPOINT_SECURITY_GROUP_ID)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NetworkEndpointSecurityGroup/), 'GroupId'] });
    expect(String(values.get(PlatformParameter.INTERFACE_ENDPOINTS)).split(',')).toEqual(lustreStack.network.interfaceEndpointServices);
    expect(values.get(PlatformParameter.S3_PREFIX_LIST_ID)).toEqual(lustreStack.resolve(lustreStack.network.s3PrefixListId));
  });

  test('the import records hold the same handles, in the layout\'s field order', () => {
    const values = published(lustre, PREFIX);
    const list = (handle: PlatformParameter) => (values.get(handle) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(values.get(PlatformParameter.NETWORK_IMPORT)).toEqual({ 'Fn::Join': [',', [
      values.get(PlatformParameter.VPC_ID), values.get(PlatformParameter.TRAINING_SECURITY_GROUP_ID), values.get(PlatformParameter.ENDPOINT_SECURITY_GROUP_ID),
      { 'Fn::Join': [';', list(PlatformParameter.TRAINING_SUBNET_IDS)] },
      { 'Fn::Join': [';', list(PlatformParameter.AVAILABILITY_ZONES)] },
      { 'Fn::Join': [';', list(PlatformParameter.TRAINING_SUBNET_ROUTE_TABLE_IDS)] },
      values.get(PlatformParameter.S3_PREFIX_LIST_ID),
    ]] });
    expect(values.get(PlatformParameter.LUSTRE_IMPORT)).toEqual({ 'Fn::Join': [',', [
      values.get(PlatformParameter.LUSTRE_FILE_SYSTEM_ID), values.get(PlatformParameter.LUSTRE_MOUNT_NAME),
      values.get(PlatformParameter.LUSTRE_DNS_NAME),
      values.get(PlatformParameter.LUSTRE_SECURITY_GROUP_ID), values.get(PlatformParameter.LUSTRE_SUBNET_ID), values.get(PlatformParameter.LUSTRE_AVAILABILITY_ZONE),
      // The dataset directory without its leading '/', so an importer's paths have no doubled slash.
      String(values.get(PlatformParameter.LUSTRE_DATASET_DIRECTORY)).replace(/^\//, ''),
    ]] });
    expect(values.get(PlatformParameter.LUSTRE_DATASET_DIRECTORY)).toBe('/datasets');
  });

  test('the FSx for Lustre handles: id, mount name, DNS name, group, subnet, AZ and dataset directory', () => {
    const values = published(lustre, PREFIX);
    const fsId = Object.keys(lustre.findResources('AWS::FSx::FileSystem'))[0];
    expect(values.get(PlatformParameter.STORAGE_TYPE)).toBe('FSxLustre');
    expect(values.get(PlatformParameter.S3_INPUT_MODE)).toBe('FastFile');
    expect(values.get(PlatformParameter.LUSTRE_FILE_SYSTEM_ID)).toEqual({ Ref: fsId });
    expect(values.get(PlatformParameter.LUSTRE_MOUNT_NAME)).toEqual({ 'Fn::GetAtt': [fsId, 'LustreMountName'] });
    expect(values.get(PlatformParameter.LUSTRE_DNS_NAME)).toEqual({ 'Fn::Join': ['', [{ Ref: fsId }, '.fsx.us-east-1.', { Ref: 'AWS::URLSuffix' }]] });
    expect(values.get(PlatformParameter.LUSTRE_SECURITY_GROUP_ID)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatasetFileSystem.*SecurityGroup/), 'GroupId'] });
    expect(values.get(PlatformParameter.LUSTRE_SUBNET_ID)).toEqual({ Ref: expect.stringMatching(/^NetworkVpc.*Subnet1Subnet/) });
    expect(values.get(PlatformParameter.LUSTRE_AVAILABILITY_ZONE)).toEqual({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] });
    expect(values.get(PlatformParameter.LUSTRE_DATASET_DIRECTORY)).toBe('/datasets');
    for (const efsHandle of [PlatformParameter.EFS_FILE_SYSTEM_ID, PlatformParameter.EFS_SUBNET_IDS]) expect(values.has(efsHandle)).toBe(false);
  });

  test('the buckets, the launcher and the events', () => {
    const values = published(lustre, PREFIX);
    const launcher = lustreStack.resolve(lustreStack.launcher.launcher.functionArn);
    expect(values.get(PlatformParameter.LAUNCHER_FUNCTION_ARN)).toEqual(launcher);
    expect(values.get(PlatformParameter.LAUNCHER_FUNCTION_NAME)).toEqual(lustreStack.resolve(lustreStack.launcher.launcher.functionName));
    expect(values.get(PlatformParameter.DATASET_BUCKET_NAME)).toEqual(lustreStack.resolve(lustreStack.datasetBucket.bucketName));
    expect(values.get(PlatformParameter.DATASET_BUCKET_ARN)).toEqual(lustreStack.resolve(lustreStack.datasetBucket.bucketArn));
    expect(values.get(PlatformParameter.UPLOAD_BUCKET_NAME)).toEqual(lustreStack.resolve(lustreStack.ingestion.uploadBucket.bucketName));
    expect(values.get(PlatformParameter.EVENT_BUS_ARN)).toEqual(lustreStack.resolve(lustreStack.ingestion.eventBus.eventBusArn));
    expect(values.get(PlatformParameter.EVENT_SOURCE)).toEqual(lustreStack.resolve(lustreStack.ingestion.eventSource));
  });

  test('and a stack output per handle, named after it, described by its parameter, not exported by default', () => {
    const outputs = lustre.findOutputs('*');
    expect(outputs.PlatformVpcId).toEqual({ Value: published(lustre, PREFIX).get(PlatformParameter.VPC_ID), Description: `SSM parameter ${PREFIX}/network/vpc-id` });
    expect(outputs.PlatformLustreMountName.Description).toBe(`SSM parameter ${PREFIX}/storage/fsx-lustre/mount-name`);
    const handleOutputs = Object.keys(outputs).filter((id) => id.startsWith('Platform'));
    // One per handle; the import records repeat handles that have outputs already.
    expect(handleOutputs).toHaveLength(published(lustre, PREFIX).size - 2);
    expect(outputs.PlatformNetworkImport).toBeUndefined();
    expect(Object.values(outputs).filter((output) => output.Export)).toEqual([]);
  });

  test('parameterPrefix and exportNamePrefix are honoured', () => {
    const stack = new DatasetPlatformStack(new App(), 'Vision', {
      env: { region: 'us-east-1' }, parameterPrefix: '/teams/vision-platform', exportNamePrefix: 'VisionPlatform', preferredStorageType: DatasetStorageType.S3,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/teams/vision-platform/storage/type', Value: 'S3' });
    template.hasOutput('PlatformVpcId', { Export: { Name: 'VisionPlatform-VpcId' } });
    template.hasOutput('PlatformTrainingSubnetIds', { Export: { Name: 'VisionPlatform-TrainingSubnetIds' } });
    // The S3 tier publishes no file system.
    expect([...published(template, '/teams/vision-platform').keys()].filter((name) => name.startsWith('storage/'))).toEqual(['storage/type', 'storage/s3-input-mode']);
  });

  test('DatasetPlatformApp passes parameterPrefix and exportNamePrefix to every region\'s stack', () => {
    const app = new DatasetPlatformApp({ context: { regions: 'us-east-1,cn-north-1' }, parameterPrefix: '/teams/vision-platform', exportNamePrefix: 'VisionPlatform' });
    expect(app.stacks.map((stack) => stack.handles.parameterPrefix)).toEqual(['/teams/vision-platform', '/teams/vision-platform']);
    for (const stack of app.stacks) {
      const exportNames = stack.node.findAll().filter((c): c is CfnOutput => c instanceof CfnOutput).flatMap((output) => output.exportName ?? []);
      expect(exportNames).toContain('VisionPlatform-VpcId');
      expect(exportNames.filter((name) => !name.startsWith('VisionPlatform-'))).toEqual([]);
    }
  });

  test('in an EFS region: id, DNS name, group, mount-target subnets with their AZs, directory and writer access point', () => {
    const stack = new DatasetPlatformStack(new App(), 'DatasetPlatform-cn-north-1', { env: { region: 'cn-north-1' } });
    const template = Template.fromStack(stack);
    const prefix = '/cdk-sagemaker-datasets/DatasetPlatform-cn-north-1';
    const values = published(template, prefix);
    const fsId = Object.keys(template.findResources('AWS::EFS::FileSystem'))[0];
    expect(values.get(PlatformParameter.STORAGE_TYPE)).toBe('EFS');
    expect(values.get(PlatformParameter.EFS_FILE_SYSTEM_ID)).toEqual({ Ref: fsId });
    expect(values.get(PlatformParameter.EFS_DNS_NAME)).toEqual({ 'Fn::Join': ['', [{ Ref: fsId }, '.efs.cn-north-1.', { Ref: 'AWS::URLSuffix' }]] });
    expect(values.get(PlatformParameter.EFS_SECURITY_GROUP_ID)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/SecurityGroup/), 'GroupId'] });
    expect(values.get(PlatformParameter.EFS_SUBNET_IDS)).toEqual(values.get(PlatformParameter.TRAINING_SUBNET_IDS));
    // An account-agnostic stack names its AZs with Fn::GetAZs.
    expect(values.get(PlatformParameter.EFS_AVAILABILITY_ZONES)).toEqual(values.get(PlatformParameter.AVAILABILITY_ZONES));
    expect(values.get(PlatformParameter.EFS_DATASET_DIRECTORY)).toBe('/datasets');
    expect(values.get(PlatformParameter.EFS_WRITER_ACCESS_POINT_ID)).toEqual({ Ref: Object.keys(template.findResources('AWS::EFS::AccessPoint'))[0] });
    expect(values.get(PlatformParameter.EFS_IMPORT)).toEqual({ 'Fn::Join': [',', [
      values.get(PlatformParameter.EFS_FILE_SYSTEM_ID), values.get(PlatformParameter.EFS_SECURITY_GROUP_ID), values.get(PlatformParameter.EFS_WRITER_ACCESS_POINT_ID),
      { 'Fn::Join': [';', (values.get(PlatformParameter.EFS_SUBNET_IDS) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]] },
      { 'Fn::Join': [';', (values.get(PlatformParameter.EFS_AVAILABILITY_ZONES) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]] },
      'datasets',
    ]] });
    expect(values.has(PlatformParameter.LUSTRE_MOUNT_NAME)).toBe(false);
  });
});

describe('DatasetStorage exposes the handles to publish', () => {
  test('forRegion\'s FSx for Lustre with mount name, DNS name, group, subnet and AZ; fromFileSystem narrows DatasetFileSystems.forRegion\'s', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network');
    const storage = DatasetStorage.forRegion(stack, 'Datasets', { network });
    expect(storage.lustreFileSystem).toBe(storage.fileSystem);
    expect(storage.efsFileSystem).toBeUndefined();
    expect(stack.resolve(storage.lustreFileSystem!.mountName)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'LustreMountName'] });
    expect(stack.resolve(storage.lustreFileSystem!.dnsName)).toEqual({ 'Fn::Join': ['', [{ Ref: expect.any(String) }, '.fsx.us-east-1.', { Ref: 'AWS::URLSuffix' }]] });
    expect(storage.lustreFileSystem!.securityGroup.securityGroupId).toBeDefined();
    expect(DatasetStorage.fromFileSystem(storage.fileSystem!).lustreFileSystem).toBe(storage.fileSystem);
    expect(DatasetStorage.s3().lustreFileSystem).toBeUndefined();
  });

  test('EFS as IEfsDatasetFileSystem', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'cn-north-1' } });
    const network = new TrainingNetwork(stack, 'Network');
    const storage = DatasetStorage.forRegion(stack, 'Datasets', { network, preferredType: DatasetStorageType.EFS });
    expect(storage.efsFileSystem).toBeInstanceOf(EfsDatasetFileSystem);
    expect(storage.lustreFileSystem).toBeUndefined();
  });
});

describe('parameterPrefix validation', () => {
  const network = () => {
    const stack = new Stack(new App(), 'P', { env: { region: 'us-east-1' } });
    return { stack, network: new TrainingNetwork(stack, 'Network', { interfaceEndpoints: [], flowLogs: false }), bucket: new s3.Bucket(stack, 'B') };
  };
  const publish = (parameterPrefix: string) => {
    const { stack, network: net, bucket } = network();
    return new DatasetPlatformParameters(stack, 'Handles', { parameterPrefix, network: net, storage: DatasetStorage.s3(), datasetBucket: bucket });
  };
  const load = (parameterPrefix: string) => DatasetPlatformHandles.fromParameters(teamStack(), 'Platform', { parameterPrefix, storageType: DatasetStorageType.S3 });

  test.each([
    ['/a', '/a'],
    ['/cdk-sagemaker-datasets/DatasetPlatform-us-east-1', PREFIX],
    ['/Team_1/vision.platform/v-2', '/Team_1/vision.platform/v-2'],
    ['/amazon/x', '/amazon/x'],
  ])('accepts %s', (prefix, expected) => {
    expect(publish(prefix).parameterPrefix).toBe(expected);
    expect(load(prefix).parameterPrefix).toBe(expected);
  });

  test.each([
    ['platform/x', /must start with '\/'/],
    ['/platform/', /must not end with '\/'/],
    ['/', /must not end with '\/'/],
    ['', /must start with '\/'/],
    ['/a//b', /non-empty '\/'-separated levels/],
    ['/my platform', /only letters, digits/],
    ['/a/b:c', /only letters, digits/],
    ['/aws/platform', /reserves names that begin with 'aws' or 'ssm'/],
    ['/SSM-params/x', /reserves names that begin with 'aws' or 'ssm'/],
    [`/${Array.from({ length: 13 }, (_, i) => `l${i}`).join('/')}`, /13 levels, but SSM allows 15 and the parameter names take 3/],
    [`/${'x'.repeat(950)}`, /951 characters; at most \d+ leave room/],
  ])('refuses %j', (prefix, message) => {
    for (const attempt of [() => publish(prefix), () => load(prefix)]) {
      let error: unknown;
      try {
        attempt();
      } catch (caught) {
        error = caught;
      }
      expect(Errors.isValidationError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/parameterPrefix is .*Use a path such as '\/cdk-sagemaker-datasets\/DatasetPlatform-us-east-1'/);
    }
  });

  test('a token prefix is refused: the names must be known at synth', () => {
    expect(() => load(Token.asString({ Ref: 'Prefix' }))).toThrow(/parameterPrefix is a token; it must be a literal string/);
  });

  test.each([
    ['Vision-Platform:1', undefined],
    ['Vision Platform', /exportNamePrefix is "Vision Platform"; CloudFormation export names hold only letters, digits, '-' and ':'/],
    ['a/b', /exportNamePrefix is "a\/b"/],
  ])('exportNamePrefix %j', (exportNamePrefix, message) => {
    const { stack, network: net, bucket } = network();
    const create = () => new DatasetPlatformParameters(stack, 'Handles', { network: net, storage: DatasetStorage.s3(), datasetBucket: bucket, exportNamePrefix });
    if (message) expect(create).toThrow(message);
    else expect(create().parameterPrefix).toBe('/cdk-sagemaker-datasets/P');
  });
});

describe('DatasetPlatformHandles.fromParameters', () => {
  /** The platform parameters a team stack reads, relative to the prefix. */
  const readParameters = (stack: Stack) => stack.node.findAll().filter((c): c is CfnParameter => c instanceof CfnParameter)
    .map((parameter) => String(parameter.default).slice(PREFIX.length + 1)).sort();

  test('rebuilds the network and the FSx for Lustre file system from the parameters, creating nothing', () => {
    const stack = teamStack();
    const platform = DatasetPlatformHandles.fromParameters(stack, 'Platform', { parameterPrefix: PREFIX, storageType: DatasetStorageType.FSX_LUSTRE });
    const network = platform.network;
    expect(network.trainingSubnetList()).toHaveLength(2);
    const record = { Ref: expect.stringMatching(/importnetwork.*Parameter$/) };
    expect(stack.resolve(network.trainingSubnetList()[1].subnetId))
      .toEqual({ 'Fn::Select': [1, { 'Fn::Split': [';', { 'Fn::Select': [3, { 'Fn::Split': [',', record] }] }] }] });
    expect(stack.resolve(network.vpc.vpcId)).toEqual({ 'Fn::Select': [0, { 'Fn::Split': [',', record] }] });
    expect(network.interfaceEndpointServices).toEqual(Object.values(TrainingEndpoint));
    expect(platform.fileSystem).toBe(platform.lustreFileSystem);
    expect(platform.storage.storageType).toBe(DatasetStorageType.FSX_LUSTRE);
    expect(stack.resolve(platform.lustreFileSystem!.mountName))
      .toEqual({ 'Fn::Select': [1, { 'Fn::Split': [',', { Ref: expect.stringMatching(/importfsxlustre.*Parameter$/) }] }] });
    expect(platform.efsFileSystem).toBeUndefined();
    // The dataset directory is the platform's, read from the record: '/<mount name>/<directory>/<dataset>' at deploy time.
    const lustreField = (index: number) => ({ 'Fn::Select': [index, { 'Fn::Split': [',', { Ref: expect.stringMatching(/importfsxlustre.*Parameter$/) }] }] });
    expect(stack.resolve(platform.lustreFileSystem!.datasetDirectory)).toEqual({ 'Fn::Join': ['', ['/', lustreField(6)]] });
    expect(stack.resolve(platform.lustreFileSystem!.directoryPath('cifar'))).toEqual({ 'Fn::Join': ['', ['/', lustreField(1), '/', lustreField(6), '/cifar']] });
    // The handles are the same objects on every read.
    expect(platform.network).toBe(network);
    expect(stack.node.findAll().filter((c) => c instanceof CfnResource)).toEqual([]);
    expect(readParameters(stack)).toEqual([PlatformParameter.NETWORK_IMPORT, PlatformParameter.LUSTRE_IMPORT].sort());
  });

  test('reads only what the team uses: buckets, launcher and events are read on first use', () => {
    const stack = teamStack();
    const platform = DatasetPlatformHandles.fromParameters(stack, 'Platform', { parameterPrefix: PREFIX, storageType: DatasetStorageType.S3 });
    expect(readParameters(stack)).toEqual([]);
    const role = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.AccountRootPrincipal() });
    platform.launcherFunction.grantInvoke(role);
    platform.uploadBucket.grantPut(role, 'uploads/vision/*');
    platform.eventBus.grantPutEventsTo(role);
    expect(platform.fileSystem).toBeUndefined();
    expect(readParameters(stack)).toEqual([PlatformParameter.UPLOAD_BUCKET_NAME, PlatformParameter.LAUNCHER_FUNCTION_ARN, PlatformParameter.EVENT_BUS_ARN].sort());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) },
    });
  });

  test('an EFS platform: the file system with its mount-target subnets, group and writer access point', () => {
    const stack = new Stack(new App(), 'Team', { env: { region: 'cn-north-1', account: '111122223333' } });
    const platform = DatasetPlatformHandles.fromParameters(stack, 'Platform', {
      parameterPrefix: PREFIX, storageType: DatasetStorageType.EFS, trainingSubnetCount: 3, interfaceEndpoints: [], trainingSubnetsHaveEgress: true,
    });
    const efsFs = platform.efsFileSystem!;
    expect(efsFs).toBe(platform.fileSystem);
    expect(efsFs.trainingSubnets.subnets).toHaveLength(3);
    expect(efsFs.writerAccessPoint).toBeDefined();
    expect(platform.network.endpointSecurityGroup).toBeUndefined();
    expect(platform.network.trainingSubnetList()).toHaveLength(3);
    expect(platform.lustreFileSystem).toBeUndefined();
    expect(readParameters(stack)).toEqual([PlatformParameter.EFS_IMPORT, PlatformParameter.NETWORK_IMPORT]);
    expect(stack.resolve(efsFs.writerAccessPoint!.accessPointId)).toEqual({ 'Fn::Select': [2, { 'Fn::Split': [',', { Ref: expect.stringMatching(/importefs/) }] }] });
    expect(stack.resolve(efsFs.datasetDirectory)).toEqual({ 'Fn::Join': ['', ['/', { 'Fn::Select': [5, { 'Fn::Split': [',', { Ref: expect.stringMatching(/importefs/) }] }] }]] });
    const overridden = DatasetPlatformHandles.fromParameters(teamStack(), 'Platform', { parameterPrefix: PREFIX, storageType: DatasetStorageType.EFS, datasetDirectory: '/shared' });
    expect(overridden.efsFileSystem!.datasetDirectory).toBe('/shared');
  });

  test.each([
    [{ trainingSubnetCount: 0 }, /trainingSubnetCount is 0; it must be a whole number from 1 to 16/],
    [{ trainingSubnetCount: 17 }, /trainingSubnetCount is 17/],
    [{ trainingSubnetCount: 1.5 }, /trainingSubnetCount is 1.5/],
    [{ storageType: 'Lustre' as DatasetStorageType }, /storageType is "Lustre"; use a DatasetStorageType member/],
  ])('refuses %j', (overrides, message) => {
    expect(() => DatasetPlatformHandles.fromParameters(teamStack(), 'Platform', { parameterPrefix: PREFIX, storageType: DatasetStorageType.FSX_LUSTRE, ...overrides }))
      .toThrow(message);
  });

  test('a team launcher on the imported platform creates no VPC endpoint and is nag-clean without acknowledgments', () => {
    const stack = teamStack();
    const platform = DatasetPlatformHandles.fromParameters(stack, 'Platform', { parameterPrefix: PREFIX, storageType: DatasetStorageType.FSX_LUSTRE });
    new TrainingJobLauncher(stack, 'Launcher', {
      network: platform.network,
      datasetBucket: platform.datasetBucket,
      fileSystem: platform.fileSystem,
      s3InputMode: platform.storage.s3InputMode,
      trainingImageRepositories: [new ecr.Repository(stack, 'Images', { imageScanOnPush: true })],
      eventBus: platform.eventBus,
      eventSource: platform.eventSource,
      jobNamePrefix: 'vision',
    });
    const template = Template.fromStack(stack);
    for (const type of ['AWS::EC2::VPCEndpoint', 'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::FSx::FileSystem']) {
      template.resourceCountIs(type, 0);
    }
    // The platform's S3 prefix-list id is used: no lookup of its own.
    expect(Object.values(template.toJSON().Resources).filter((r) => String((r as { Type: string }).Type).startsWith('Custom::'))).toEqual([]);
    // Every parameter it declares is one it uses (cfn-lint W2001 would flag the others).
    const body = JSON.stringify(template.toJSON().Resources);
    for (const name of Object.keys(template.toJSON().Parameters).filter((p) => p !== 'BootstrapVersion')) {
      expect(body).toContain(`"Ref":"${name}"`);
    }
    expect(nagFindings(stack)).toEqual([]);
  });

  test('a launcher on a network, file system and bucket imported from exported outputs (Fn::ImportValue) is nag-clean too', () => {
    const stack = teamStack();
    const exported = (handle: string) => Fn.importValue(`VisionPlatform-${handle}`);
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', {
      vpcId: exported('VpcId'),
      availabilityZones: Fn.split(',', exported('AvailabilityZones'), 2),
      trainingSubnetIds: Fn.split(',', exported('TrainingSubnetIds'), 2),
      trainingSubnetRouteTableIds: Fn.split(',', exported('TrainingSubnetRouteTableIds'), 2),
      trainingSecurityGroupId: exported('TrainingSecurityGroupId'),
      endpointSecurityGroupId: exported('EndpointSecurityGroupId'),
      interfaceEndpoints: Object.values(TrainingEndpoint),
    });
    const fileSystem = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'Datasets', {
      fileSystemId: exported('LustreFileSystemId'), mountName: exported('LustreMountName'), securityGroupId: exported('LustreSecurityGroupId'),
      subnetId: exported('LustreSubnetId'), availabilityZone: exported('LustreAvailabilityZone'), network,
    });
    new TrainingJobLauncher(stack, 'Launcher', {
      network, fileSystem, datasetBucket: s3.Bucket.fromBucketName(stack, 'DatasetBucket', exported('DatasetBucketName')),
      trainingImageRepositories: [new ecr.Repository(stack, 'Images', { imageScanOnPush: true })],
    });
    expect(nagFindings(stack)).toEqual([]);
  });
});
