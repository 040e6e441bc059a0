import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { principalArnOf } from '../security/principal-arn';
import { throwValidation } from '../validation';

/** The actions that write a repository's images. */
const PUSH_ACTIONS = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchDeleteImage'];
/** The actions SageMaker uses, with the job's execution role, to pull a training image. */
const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

/** Properties of a {@link TrainingImageRepository}. */
export interface TrainingImageRepositoryProps {
  /**
   * The principals that may push (and delete) images: IAM roles or users, e.g. the CI role that
   * builds training images. When set, the repository policy denies pushing to every other principal,
   * even to administrators of the account whose identity policies allow `ecr:*`.
   * @default - no push restriction in the repository policy: identity policies decide who pushes
   */
  readonly pushers?: iam.IPrincipal[];

  /**
   * The repository's name.
   * @default - a name CloudFormation derives from the construct's path
   */
  readonly repositoryName?: string;

  /**
   * What happens to the repository when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An ECR repository for training images: scan on push, immutable tags, a lifecycle policy (untagged
 * layers of interrupted or replaced pushes expire after 14 days; the newest 200 images are kept),
 * and a repository policy that lets only `pushers` push and lets the training jobs' execution roles
 * ({@link allowTrainingJobPulls}) pull.
 *
 * @example
 * const images = new TrainingImageRepository(this, 'TrainingImages', { pushers: [ciRole] });
 */
export class TrainingImageRepository extends ecr.Repository {
  /** The ARNs of the principals that may push, when restricted. */
  public readonly pusherArns?: string[];

  private pullStatement?: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: TrainingImageRepositoryProps = {}) {
    super(scope, id, {
      repositoryName: props.repositoryName,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      lifecycleRules: [
        { rulePriority: 1, description: 'Untagged layers of interrupted or replaced pushes', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(14) },
        { rulePriority: 2, description: 'Keep the newest 200 images (jobs name images by tag or digest)', tagStatus: ecr.TagStatus.ANY, maxImageCount: 200 },
      ],
    });
    if (props.pushers) {
      if (props.pushers.length === 0) {
        throwValidation(this, 'InvalidPushers', `TrainingImageRepository ${this.node.path}: pushers is empty, so nobody could push an image. Name the principals that push (e.g. the CI role), or leave pushers unset to let identity policies decide.`);
      }
      this.pusherArns = props.pushers.map((principal) => principalArnOf(principal, `${this.node.path}: pushers`));
      this.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'OnlyPushersPush',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: PUSH_ACTIONS,
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.pusherArns } },
      }));
      this.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'PushersPush',
        principals: this.pusherArns.map((arn) => new iam.ArnPrincipal(arn)),
        actions: [...PUSH_ACTIONS, ...PULL_ACTIONS],
      }));
    }
  }

  /**
   * Lets SageMaker pull training images with `executionRole` (the role a training job runs as):
   * a repository-policy statement, so it holds for execution roles of other accounts too.
   */
  public allowTrainingJobPulls(executionRole: iam.IRole): void {
    const principal = new iam.ArnPrincipal(executionRole.roleArn);
    if (this.pullStatement) {
      this.pullStatement.addPrincipals(principal);
      return;
    }
    this.pullStatement = new iam.PolicyStatement({ sid: 'TrainingJobsPull', principals: [principal], actions: PULL_ACTIONS });
    this.addToResourcePolicy(this.pullStatement);
  }
}
