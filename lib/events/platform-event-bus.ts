import { Lazy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { principalArnOf } from '../security/principal-arn';

const PLATFORM_EVENT_BUS = Symbol.for('cdk-sagemaker-datasets.PlatformEventBus');

/** Properties of a {@link PlatformEventBus}. */
export interface PlatformEventBusProps {
  /**
   * The bus's name.
   * @default - a name CloudFormation derives from the construct's path
   */
  readonly eventBusName?: string;

  /**
   * A customer-managed key that encrypts the events at rest.
   * @default - an AWS-owned key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * A description of the bus (CloudFormation does not take one in the AWS GovCloud (US) regions).
   * @default - no description
   */
  readonly description?: string;
}

/**
 * The platform's own event bus (`DatasetConverted`, `DatasetConversionFailed`,
 * `TrainingJobStateChanged`, …), which only the platform's publishers can put events on.
 *
 * Every principal given `grantPutEventsTo()` (the converter, the distributed finalizer and
 * failure handler, the training-job state publisher) becomes a publisher. The bus's resource policy
 * denies `events:PutEvents` to every other principal, including those of the same account whose
 * identity policies allow `events:PutEvents` on `*`: a resource policy cannot take away what an
 * identity policy grants in the same account except with an explicit Deny, so the policy is one
 * Deny with `ArnNotEquals aws:PrincipalArn <publishers>`. Nobody else can forge a platform event.
 * Rules (and the `on*()` helpers of the platform's constructs) read from the bus as usual.
 *
 * Publishers must be IAM roles or users of the same account, in the same stack as the bus (their
 * ARNs are written into its policy). Service principals cannot be publishers.
 *
 * @example
 * const bus = new PlatformEventBus(this, 'Events');
 * const ingestion = new DatasetIngestion(this, 'Ingestion', { network, eventBus: bus });
 */
export class PlatformEventBus extends events.EventBus {
  /** Whether `x` is a {@link PlatformEventBus} (works across copies of the library). */
  public static isPlatformEventBus(x: unknown): x is PlatformEventBus {
    return typeof x === 'object' && x !== null && PLATFORM_EVENT_BUS in x;
  }

  /** The resource policy that restricts `events:PutEvents` to the publishers. */
  public readonly publisherPolicy: events.CfnEventBusPolicy;

  private readonly publisherArns: string[] = [];

  constructor(scope: Construct, id: string, props: PlatformEventBusProps = {}) {
    super(scope, id, {
      eventBusName: props.eventBusName,
      kmsKey: props.encryptionKey,
      description: props.description,
    });
    Object.defineProperty(this, PLATFORM_EVENT_BUS, { value: true });
    this.publisherPolicy = new events.CfnEventBusPolicy(this, 'PublishersOnly', {
      eventBusName: this.eventBusName,
      statementId: 'OnlyPlatformPublishersPutEvents',
      statement: Lazy.any({ produce: () => this.publisherStatement() }),
    });
  }

  /**
   * Grants `events:PutEvents` on this bus to `grantee` (through its identity policy) and adds it to
   * the publishers the bus's resource policy lets through.
   */
  public grantPutEventsTo(grantee: iam.IGrantable, sid?: string): iam.Grant {
    this.addPublisher(grantee.grantPrincipal);
    return super.grantPutEventsTo(grantee, sid);
  }

  /**
   * Lets `principal` through the bus's resource policy without granting it anything: for
   * publishers whose identity policy already allows `events:PutEvents` on this bus.
   */
  public addPublisher(principal: iam.IPrincipal): void {
    const arn = principalArnOf(principal, 'PlatformEventBus.grantPutEventsTo()');
    const key = (value: string) => JSON.stringify(Stack.of(this).resolve(value));
    if (!this.publisherArns.some((known) => key(known) === key(arn))) {
      this.publisherArns.push(arn);
    }
  }

  /** The ARNs of the principals that may put events on this bus. */
  public get publishers(): string[] {
    return [...this.publisherArns];
  }

  private publisherStatement(): object {
    const stack = Stack.of(this);
    const statement = new iam.PolicyStatement({
      sid: 'OnlyPlatformPublishersPutEvents',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [this.eventBusArn],
      // With no publisher yet, nobody may put events.
      conditions: this.publisherArns.length > 0 ? { ArnNotEquals: { 'aws:PrincipalArn': this.publisherArns } } : undefined,
    });
    return stack.resolve(statement.toStatementJson());
  }
}
