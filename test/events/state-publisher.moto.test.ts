import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeEvent } from 'aws-lambda';
import { DEFAULT_INGESTION_EVENT_SOURCE } from '../../contract/ingestion-events';
import { SAGEMAKER_EVENT_SOURCE, SAGEMAKER_TRAINING_JOB_STATE_CHANGE, STATE_CHANGE_ENV, TRAINING_JOB_STATE_CHANGED, type SageMakerTrainingJobDetail } from '../../contract/training-job-events';
import { describeWithTool, MOTO_SERVER } from '../support/external-tool';
import { MOTO_CREDENTIALS, useMotoServer } from '../support/moto-server';

type Handler = (event: EventBridgeEvent<string, SageMakerTrainingJobDetail>) => Promise<void>;
const BUS = 'platform-events';

/**
 * The launcher's state publisher as deployed: SageMaker's event (from the default bus) in, a
 * `TrainingJobStateChanged` event out on the platform bus named by its environment, against moto.
 */
describeWithTool(MOTO_SERVER, 'training-job state publisher against moto_server: default bus in, platform bus out', () => {
  const moto = useMotoServer();
  const saved = { ...process.env };
  let handler: Handler;
  let sqs: SQSClient;
  const queues: Record<'platform' | 'defaultBus', string> = { platform: '', defaultBus: '' };

  beforeAll(async () => {
    const events = new EventBridgeClient(moto.config());
    sqs = new SQSClient(moto.config());
    await events.send(new CreateEventBusCommand({ Name: BUS }));
    for (const [name, bus] of [['platform', BUS], ['defaultBus', undefined]] as const) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `observer-${name}` }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      queues[name] = QueueUrl!;
      await events.send(new PutRuleCommand({ Name: `observe-${name}`, EventBusName: bus, EventPattern: JSON.stringify({ 'source': [DEFAULT_INGESTION_EVENT_SOURCE], 'detail-type': [TRAINING_JOB_STATE_CHANGED] }) }));
      await events.send(new PutTargetsCommand({ Rule: `observe-${name}`, EventBusName: bus, Targets: [{ Id: 'queue', Arn: Attributes!.QueueArn! }] }));
    }
    Object.assign(process.env, {
      [STATE_CHANGE_ENV.EVENT_BUS_NAME]: BUS,
      [STATE_CHANGE_ENV.EVENT_SOURCE]: DEFAULT_INGESTION_EVENT_SOURCE,
      [STATE_CHANGE_ENV.JOB_NAME_PREFIX]: 'dsp',
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    // The handler reads its environment and builds its client when loaded, as in Lambda.
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after moto starts: the module reads its environment on load
      handler = (require('../../lambda/src/handlers/publish-training-job-state') as { handler: Handler }).handler;
    });
  });

  afterAll(() => {
    process.env = saved;
  });

  async function received(queueUrl: string): Promise<Array<{ source: string; 'detail-type': string; detail: Record<string, unknown> }>> {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    return (Messages ?? []).map((message) => JSON.parse(message.Body!));
  }

  const sageMakerEvent = (detail: SageMakerTrainingJobDetail): EventBridgeEvent<string, SageMakerTrainingJobDetail> => ({
    'id': 'e-1', 'version': '0', 'account': '123456789012', 'region': 'us-east-1', 'time': '2026-12-03T12:00:00Z', 'resources': [],
    'source': SAGEMAKER_EVENT_SOURCE, 'detail-type': SAGEMAKER_TRAINING_JOB_STATE_CHANGE, detail,
  });

  test('a state change of the platform\'s job is re-published on the platform bus, never on the default bus', async () => {
    await handler(sageMakerEvent({
      TrainingJobName: 'dsp-vision-cats-abc123', TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/dsp-vision-cats-abc123',
      TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed',
    }));
    const [event, ...more] = await received(queues.platform);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ 'source': DEFAULT_INGESTION_EVENT_SOURCE, 'detail-type': TRAINING_JOB_STATE_CHANGED, 'detail': { platform: 'dsp', jobName: 'dsp-vision-cats-abc123', status: 'Completed' } });
    expect(await received(queues.defaultBus)).toEqual([]);
  });

  test('another platform\'s job is ignored', async () => {
    await handler(sageMakerEvent({ TrainingJobName: 'other-job', TrainingJobStatus: 'Failed' }));
    expect(await received(queues.platform)).toEqual([]);
  });
});
