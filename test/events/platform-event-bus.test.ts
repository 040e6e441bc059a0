import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DATASET_CONVERTED, INGESTION_ENV } from '../../contract/ingestion-events';
import { SAGEMAKER_EVENT_SOURCE, STATE_CHANGE_ENV, TRAINING_JOB_STATE_CHANGED } from '../../contract/training-job-events';
import { DatasetIngestion, DatasetPlatformStack, PlatformEventBus, TrainingNetwork } from '../../lib';
import { IamSimulator, PolicyDocument } from '../support/iam-simulator';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The default platform stack, plus two principals of the same account that are not the platform's publishers. */
function platform() {
  const app = new App();
  const stack = new DatasetPlatformStack(app, 'Platform', { env: { account: '111111111111', region: 'us-east-1' } });
  const consumer = new sqs.Queue(stack, 'Consumer', { enforceSSL: true });
  stack.ingestion.onDatasetConverted('OnConverted', { target: new targets.SqsQueue(consumer) });
  stack.launcher.onTrainingJobStateChanged('OnJobState', { target: new targets.SqsQueue(consumer) });
  // An administrator-like role (events:* on everything) and a role granted PutEvents on the bus by name.
  const admin = new iam.Role(stack, 'OutsiderAdmin', { assumedBy: new iam.AccountRootPrincipal() });
  admin.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:*'], resources: ['*'] }));
  const forger = new iam.Role(stack, 'OutsiderForger', { assumedBy: new iam.AccountRootPrincipal() });
  forger.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [stack.eventBus.eventBusArn] }));
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Resources, simulator: new IamSimulator(template, { region: 'us-east-1' }) };
}

const fixture = platform();
const busId = fixture.simulator.logicalId('AWS::Events::EventBus', /^Events/);
const busArn = fixture.simulator.arnOf(busId);

/** Roles whose identity policies (inline or attached) name events:PutEvents: the platform's publishers. */
function rolesThatPutEvents(_simulator: IamSimulator, resources: Resources): string[] {
  const roles = new Set<string>();
  for (const [id, resource] of Object.entries(resources)) {
    if (id.startsWith('Outsider')) continue;
    if (resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties?.PolicyDocument).includes('events:PutEvents')) {
      for (const role of resource.Properties!.Roles as Array<{ Ref: string }>) roles.add(role.Ref);
    }
    if (resource.Type === 'AWS::IAM::Role' && JSON.stringify(resource.Properties?.Policies ?? []).includes('events:PutEvents')) roles.add(id);
  }
  return [...roles].sort();
}

describe('PlatformEventBus in the platform stack', () => {
  test('the stack creates one bus; ingestion, distributed conversion and launcher all publish to it', () => {
    expect(Object.values(fixture.resources).filter((r) => r.Type === 'AWS::Events::EventBus')).toHaveLength(1);
    expect(fixture.stack.ingestion.eventBus).toBe(fixture.stack.eventBus);
    expect(fixture.stack.launcher.eventBus).toBe(fixture.stack.eventBus);
    const busNames = Object.values(fixture.resources).filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {})
      .flatMap((variables) => [variables[INGESTION_ENV.EVENT_BUS_NAME], variables[STATE_CHANGE_ENV.EVENT_BUS_NAME]]).filter((v) => v !== undefined);
    expect(busNames.length).toBeGreaterThanOrEqual(3); // converter, distributed finalizer/failure handler, state publisher
    for (const name of busNames) expect(name).toEqual({ Ref: busId });
  });

  test('the resource policy denies PutEvents to every principal but the publishers, which are exactly the roles granted PutEvents', () => {
    const policy = fixture.simulator.eventBusPolicy(busId)!;
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement as Array<{ Effect: string; Principal: unknown; Action: string; Resource: string; Condition: { ArnNotEquals: Record<string, string[]> } }>;
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'events:PutEvents', Resource: busArn });
    const publishers = rolesThatPutEvents(fixture.simulator, fixture.resources);
    expect(publishers.length).toBeGreaterThanOrEqual(3);
    expect([...statement.Condition.ArnNotEquals['aws:PrincipalArn']].sort()).toEqual(publishers.map((role) => fixture.simulator.roleArn(role)).sort());
  });

  test.each(rolesThatPutEvents(fixture.simulator, fixture.resources))('publisher %s may put events on the bus', async (role) => {
    await expect(fixture.simulator.simulate({ role, action: 'events:PutEvents', resource: busArn, resourcePolicy: fixture.simulator.resourcePolicyFor(busArn) })).resolves.toBe('Allowed');
  });

  test.each(['OutsiderAdmin', 'OutsiderForger'])('%s of the same account, allowed PutEvents by its identity policy, is explicitly denied', async (name) => {
    const role = fixture.simulator.roleNamed(new RegExp(`^${name}`));
    // Without the bus policy the identity policy would let it forge platform events.
    await expect(fixture.simulator.simulate({ role, action: 'events:PutEvents', resource: busArn })).resolves.toBe('Allowed');
    await expect(fixture.simulator.simulate({ role, action: 'events:PutEvents', resource: busArn, resourcePolicy: fixture.simulator.resourcePolicyFor(busArn) })).resolves.toBe('ExplicitlyDenied');
  });

  test('publishers may not put events on the default bus (their grant names the platform bus only)', async () => {
    const [publisher] = rolesThatPutEvents(fixture.simulator, fixture.resources);
    await expect(fixture.simulator.simulate({ role: publisher, action: 'events:PutEvents', resource: fixture.simulator.arn('events', 'event-bus/default') })).resolves.toBe('ImplicitlyDenied');
  });

  test('the on*() helpers read the platform bus; SageMaker\'s own state changes are read from the default bus and re-published', () => {
    const rules = Object.values(fixture.resources).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => r.Properties!);
    const byDetailType = (detailType: string) => rules.filter((rule) => JSON.stringify(rule.EventPattern ?? {}).includes(`"${detailType}"`));
    expect(byDetailType(DATASET_CONVERTED).map((rule) => rule.EventBusName)).toEqual([{ Ref: busId }]);
    expect(byDetailType(TRAINING_JOB_STATE_CHANGED).map((rule) => rule.EventBusName)).toEqual([{ Ref: busId }]);
    const sageMaker = rules.filter((rule) => JSON.stringify(rule.EventPattern ?? {}).includes(SAGEMAKER_EVENT_SOURCE));
    expect(sageMaker).toHaveLength(1);
    expect(sageMaker[0].EventBusName).toBeUndefined(); // the default bus
  });
});

describe('PlatformEventBus on its own', () => {
  function stack() {
    return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
  }

  test('a DatasetIngestion without eventBus creates its own bus, shared with its distributed conversion', () => {
    const scope = stack();
    const network = new TrainingNetwork(scope, 'Network');
    const ingestion = new DatasetIngestion(scope, 'Ingestion', { network });
    expect(PlatformEventBus.isPlatformEventBus(ingestion.eventBus)).toBe(true);
    const template = Template.fromStack(scope);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    expect((ingestion.eventBus as PlatformEventBus).publishers.length).toBeGreaterThanOrEqual(2);
  });

  test('with no publisher nobody may put events', async () => {
    const scope = stack();
    new PlatformEventBus(scope, 'Bus');
    const role = new iam.Role(scope, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: ['*'] }));
    const simulator = new IamSimulator(Template.fromStack(scope));
    const policy = simulator.eventBusPolicy(simulator.logicalId('AWS::Events::EventBus', /^Bus/)) as PolicyDocument;
    expect(policy.Statement[0]).not.toHaveProperty('Condition');
    const arn = simulator.arnOf(simulator.logicalId('AWS::Events::EventBus', /^Bus/));
    await expect(simulator.simulate({ role: simulator.roleNamed(/^Admin/), action: 'events:PutEvents', resource: arn, resourcePolicy: policy })).resolves.toBe('ExplicitlyDenied');
  });

  test('a publisher is listed once however often it is granted; addPublisher() lets a role through without granting', () => {
    const scope = stack();
    const bus = new PlatformEventBus(scope, 'Bus', { eventBusName: 'team-events' });
    const role = new iam.Role(scope, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
    bus.grantPutEventsTo(role);
    bus.grantPutEventsTo(role);
    bus.addPublisher(iam.Role.fromRoleArn(scope, 'Imported', 'arn:aws:iam::111111111111:role/ci-publisher'));
    Template.fromStack(scope).hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: Match.stringLikeRegexp('^Bus') },
      Statement: Match.objectLike({ Condition: { ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Publisher'), 'Arn'] }, 'arn:aws:iam::111111111111:role/ci-publisher'] } } }),
    });
  });

  test('a service principal cannot be a publisher: the error says to use a role', () => {
    const bus = new PlatformEventBus(stack(), 'Bus');
    expect(() => bus.grantPutEventsTo(new iam.ServicePrincipal('sns.amazonaws.com'))).toThrow(/PlatformEventBus.grantPutEventsTo\(\): .*has no principal ARN.*Use an IAM role/);
  });

  test('an imported bus stays usable: publishers get an identity grant, no policy is written', () => {
    const scope = stack();
    const network = new TrainingNetwork(scope, 'Network');
    const bus = events.EventBus.fromEventBusName(scope, 'Shared', 'shared-events');
    new DatasetIngestion(scope, 'Ingestion', { network, eventBus: bus });
    const template = Template.fromStack(scope);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }) })]) } });
  });
});
