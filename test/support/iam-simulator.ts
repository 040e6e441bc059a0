import { createHash } from 'node:crypto';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * An offline IAM policy simulator over a SYNTHESIZED template: the policies CloudFormation would
 * create, with every `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select` and pseudo parameter
 * resolved to concrete values for a fixed account, region and partition, evaluated by
 * `@cloud-copilot/iam-simulate` (identity policies, plus a resource policy when given).
 *
 *   const iam = new IamSimulator(Template.fromStack(stack), { region: 'us-east-1' });
 *   const role = iam.roleNamed(/TenantvisionAccessRole/);
 *   await iam.simulate({ role, action: 's3:GetObject', resource: iam.bucketArn(/Datasets/) + '/datasets/vision/x' });  // 'Allowed'
 *
 * Physical names are derived from logical ids (a role's name is its logical id, a bucket's the
 * lowercased logical id, ids are hex of the logical id's hash), so the same template always gives
 * the same ARNs, and a test can compute the ARN of any resource with {@link physicalId} / {@link arnOf}.
 */
export interface SimulatorEnvironment {
  /** @default '111111111111' */
  readonly account?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default 'aws', or 'aws-cn' for cn-* regions */
  readonly partition?: string;
}

/** The simulator's verdict. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** One request to simulate. */
export interface SimulatedRequest {
  /** The acting role (its logical id, see {@link IamSimulator.roleNamed}). */
  readonly role: string;
  readonly action: string;
  /** The resource ARN (`*` for actions without resources). */
  readonly resource: string;
  /** Condition context: `aws:RequestTag/…`, `sagemaker:…`, `s3:prefix`, …; multi-valued keys as arrays. */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** A resource policy (already resolved), e.g. from {@link IamSimulator.bucketPolicy}. */
  readonly resourcePolicy?: PolicyDocument;
  /** The account that owns the resource. @default the simulator's account */
  readonly resourceAccount?: string;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatementJson[];
}
export type PolicyStatementJson = Record<string, unknown>;

type CfnResource = { Type: string; Properties?: Record<string, unknown> };

export class IamSimulator {
  public readonly account: string;
  public readonly region: string;
  public readonly partition: string;
  private readonly resources: Record<string, CfnResource>;
  private readonly parameters: Record<string, unknown>;

  constructor(template: Template, environment: SimulatorEnvironment = {}) {
    const json = template.toJSON() as { Resources?: Record<string, CfnResource>; Parameters?: Record<string, unknown> };
    this.resources = json.Resources ?? {};
    this.parameters = json.Parameters ?? {};
    this.account = environment.account ?? '111111111111';
    this.region = environment.region ?? 'us-east-1';
    this.partition = environment.partition ?? (this.region.startsWith('cn-') ? 'aws-cn' : 'aws');
  }

  /** The logical id of the one resource of `type` whose logical id matches `pattern`; throws naming the candidates otherwise. */
  public logicalId(type: string, pattern: RegExp): string {
    const ids = Object.entries(this.resources).filter(([id, resource]) => resource.Type === type && pattern.test(id)).map(([id]) => id);
    if (ids.length !== 1) {
      const all = Object.entries(this.resources).filter(([, resource]) => resource.Type === type).map(([id]) => id);
      throw new Error(`${ids.length} ${type} resources match ${pattern} (want exactly one): ${(ids.length ? ids : all).join(', ')}`);
    }
    return ids[0];
  }

  /** The logical id of the one IAM role whose logical id matches. */
  public roleNamed(pattern: RegExp): string {
    return this.logicalId('AWS::IAM::Role', pattern);
  }

  /** The ARN of a role by logical id. */
  public roleArn(roleLogicalId: string): string {
    return this.arnOf(roleLogicalId);
  }

  /** The ARN of the one bucket whose logical id matches. */
  public bucketArn(pattern: RegExp): string {
    return this.arnOf(this.logicalId('AWS::S3::Bucket', pattern));
  }

  /** The physical id (`Ref`) of a resource. */
  public physicalId(logicalId: string): string {
    const resource = this.resource(logicalId);
    const hex = (length: number) => createHash('sha256').update(logicalId).digest('hex').slice(0, length);
    const name = (property: string) => {
      const explicit = resource.Properties?.[property];
      return explicit === undefined ? undefined : String(this.resolve(explicit));
    };
    switch (resource.Type) {
      case 'AWS::IAM::Role': return name('RoleName') ?? logicalId;
      case 'AWS::IAM::Policy': return name('PolicyName') ?? logicalId;
      case 'AWS::S3::Bucket': return name('BucketName') ?? logicalId.toLowerCase().slice(0, 63);
      case 'AWS::KMS::Key': return `${hex(8)}-${hex(12).slice(8)}-4000-8000-${hex(12)}`;
      case 'AWS::EC2::Subnet': return `subnet-${hex(17)}`;
      case 'AWS::EC2::SecurityGroup': return `sg-${hex(17)}`;
      case 'AWS::EC2::VPC': return `vpc-${hex(17)}`;
      case 'AWS::FSx::FileSystem': return `fs-${hex(17)}`;
      case 'AWS::EFS::FileSystem': return `fs-${hex(8)}`;
      case 'AWS::EFS::AccessPoint': return `fsap-${hex(17)}`;
      case 'AWS::ECR::Repository': return name('RepositoryName') ?? logicalId.toLowerCase();
      case 'AWS::Lambda::Function': return name('FunctionName') ?? logicalId;
      case 'AWS::SQS::Queue': return `https://sqs.${this.region}.amazonaws.com/${this.account}/${name('QueueName') ?? logicalId}`;
      case 'AWS::Events::EventBus': return name('Name') ?? logicalId;
      case 'AWS::Events::Rule': return name('Name') ?? logicalId;
      case 'AWS::Logs::LogGroup': return name('LogGroupName') ?? logicalId;
      case 'AWS::StepFunctions::StateMachine': return this.arn('states', `stateMachine:${name('StateMachineName') ?? logicalId}`);
      case 'AWS::SNS::Topic': return this.arn('sns', name('TopicName') ?? logicalId);
      default: return logicalId;
    }
  }

  /** `Fn::GetAtt [logicalId, Arn]`. */
  public arnOf(logicalId: string): string {
    const resource = this.resource(logicalId);
    const id = this.physicalId(logicalId);
    switch (resource.Type) {
      case 'AWS::IAM::Role': return `arn:${this.partition}:iam::${this.account}:role/${id}`;
      case 'AWS::S3::Bucket': return `arn:${this.partition}:s3:::${id}`;
      case 'AWS::KMS::Key': return this.arn('kms', `key/${id}`);
      case 'AWS::ECR::Repository': return this.arn('ecr', `repository/${id}`);
      case 'AWS::Lambda::Function': return this.arn('lambda', `function:${id}`);
      case 'AWS::SQS::Queue': return this.arn('sqs', id.split('/').pop()!);
      case 'AWS::Events::EventBus': return this.arn('events', `event-bus/${id}`);
      case 'AWS::Events::Rule': return this.arn('events', `rule/${id}`);
      case 'AWS::Logs::LogGroup': return this.arn('logs', `log-group:${id}:*`);
      case 'AWS::StepFunctions::StateMachine': return id;
      case 'AWS::SNS::Topic': return id;
      case 'AWS::FSx::FileSystem': return this.arn('fsx', `file-system/${id}`);
      case 'AWS::EFS::FileSystem': return this.arn('elasticfilesystem', `file-system/${id}`);
      case 'AWS::EFS::AccessPoint': return this.arn('elasticfilesystem', `access-point/${id}`);
      default: throw new Error(`IamSimulator: no ARN format for ${resource.Type} (${logicalId}); add it to arnOf`);
    }
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
  public arn(service: string, resource: string): string {
    return `arn:${this.partition}:${service}:${this.region}:${this.account}:${resource}`;
  }

  /** Every identity policy attached to a role (inline `Policies`, `AWS::IAM::Policy` and managed policies naming it), resolved. */
  public identityPolicies(roleLogicalId: string): Array<{ name: string; policy: PolicyDocument }> {
    const role = this.resource(roleLogicalId);
    const policies: Array<{ name: string; policy: PolicyDocument }> = [];
    for (const inline of (role.Properties?.Policies as Array<{ PolicyName: unknown; PolicyDocument: unknown }> | undefined) ?? []) {
      policies.push({ name: String(this.resolve(inline.PolicyName)), policy: this.resolve(inline.PolicyDocument) as PolicyDocument });
    }
    for (const [id, resource] of Object.entries(this.resources)) {
      if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') {
        continue;
      }
      const roles = (resource.Properties?.Roles as unknown[] | undefined) ?? [];
      if (roles.some((entry) => (entry as { Ref?: string }).Ref === roleLogicalId)) {
        policies.push({ name: id, policy: this.resolve(resource.Properties!.PolicyDocument) as PolicyDocument });
      }
    }
    if ((role.Properties?.ManagedPolicyArns as unknown[] | undefined)?.length) {
      throw new Error(`IamSimulator: role ${roleLogicalId} has ManagedPolicyArns, which the simulator cannot see; the library writes inline policies only`);
    }
    return policies;
  }

  /** A role's trust policy, resolved. */
  public trustPolicy(roleLogicalId: string): PolicyDocument {
    return this.resolve(this.resource(roleLogicalId).Properties?.AssumeRolePolicyDocument) as PolicyDocument;
  }

  /** The bucket policy of a bucket (by the bucket's logical id), resolved; undefined when it has none. */
  public bucketPolicy(bucketLogicalId: string): PolicyDocument | undefined {
    const entry = Object.values(this.resources).find((resource) => resource.Type === 'AWS::S3::BucketPolicy' &&
      (resource.Properties?.Bucket as { Ref?: string } | undefined)?.Ref === bucketLogicalId);
    return entry ? this.resolve(entry.Properties!.PolicyDocument) as PolicyDocument : undefined;
  }

  /** The key policy of a KMS key (by the key's logical id), resolved. KMS needs it: identity policies count only where it delegates to the account. */
  public keyPolicy(keyLogicalId: string): PolicyDocument {
    return this.resolve(this.resource(keyLogicalId).Properties?.KeyPolicy) as PolicyDocument;
  }

  /** The resource policy of an event bus (by the bus's logical id): every `AWS::Events::EventBusPolicy` statement naming it, resolved. */
  public eventBusPolicy(busLogicalId: string): PolicyDocument | undefined {
    const statements = Object.values(this.resources)
      .filter((resource) => resource.Type === 'AWS::Events::EventBusPolicy' && (resource.Properties?.EventBusName as { Ref?: string } | undefined)?.Ref === busLogicalId)
      .map((resource) => this.resolve(resource.Properties!.Statement) as PolicyStatementJson);
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** The repository policy of an ECR repository (by its logical id), resolved; undefined when it has none. */
  public repositoryPolicy(repositoryLogicalId: string): PolicyDocument | undefined {
    const text = this.resource(repositoryLogicalId).Properties?.RepositoryPolicyText;
    return text === undefined ? undefined : this.resolve(text) as PolicyDocument;
  }

  /** The resource policy IAM evaluates with a request on `arn` (a KMS key's key policy, an event bus's or a repository's policy), when the template holds it. */
  public resourcePolicyFor(arn: string): PolicyDocument | undefined {
    const owner = Object.keys(this.resources).find((id) => ['AWS::KMS::Key', 'AWS::Events::EventBus', 'AWS::ECR::Repository'].includes(this.resources[id].Type) && this.arnOf(id) === arn);
    if (!owner) return undefined;
    switch (this.resources[owner].Type) {
      case 'AWS::KMS::Key': return this.keyPolicy(owner);
      case 'AWS::Events::EventBus': return this.eventBusPolicy(owner);
      default: return this.repositoryPolicy(owner);
    }
  }

  /**
   * Evaluates one request by one role. Context keys the action does not know are an error (a test
   * passing them would prove nothing), as is a simulation the engine cannot run.
   */
  public async simulate(request: SimulatedRequest): Promise<Decision> {
    const result = await runSimulation({
      request: {
        principal: this.roleArn(request.role),
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? this.account },
        // AWS sets aws:PrincipalArn on every request: a role's ARN for each of its sessions.
        contextVariables: { 'aws:PrincipalArn': this.roleArn(request.role), ...request.context },
      },
      identityPolicies: this.identityPolicies(request.role),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    }, {});
    if (result.resultType === 'error') {
      throw new Error(`IamSimulator: ${request.action} on ${request.resource} cannot be simulated: ${JSON.stringify(result.errors)}`);
    }
    const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] : result.results.flatMap((one) => one.ignoredContextKeys ?? []);
    if (ignored.length > 0) {
      throw new Error(`IamSimulator: ${request.action} does not use the context keys ${ignored.join(', ')}; drop them from the case`);
    }
    return result.overallResult;
  }

  /** Resolves CloudFormation intrinsics to concrete values. */
  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item));
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.length === 1) {
      const [key] = keys;
      const argument = object[key];
      switch (key) {
        case 'Ref': return this.ref(String(argument));
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(argument) ? argument as string[] : String(argument).split('.');
          return this.getAtt(id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [separator, text] = argument as [string, unknown];
          return String(this.resolve(text)).split(separator);
        }
        case 'Fn::Sub': {
          const [text, variables] = typeof argument === 'string' ? [argument, {}] : argument as [string, Record<string, unknown>];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (variables[name] !== undefined) return String(this.resolve(variables[name]));
            return name.includes('.') ? String(this.getAtt(...(name.split('.') as [string, string]))) : String(this.ref(name));
          });
        }
        default:
          if (key.startsWith('Fn::')) {
            throw new Error(`IamSimulator: cannot resolve ${key}`);
          }
      }
    }
    return Object.fromEntries(Object.entries(object).map(([member, item]) => [member, this.resolve(item)]));
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition': return this.partition;
      case 'AWS::Region': return this.region;
      case 'AWS::AccountId': return this.account;
      case 'AWS::URLSuffix': return this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
      case 'AWS::StackName': return 'SimulatedStack';
      case 'AWS::NoValue': throw new Error('IamSimulator: AWS::NoValue inside a policy');
      default:
        if (this.resources[name]) return this.physicalId(name);
        if (this.parameters[name]) return `parameter-${name}`;
        throw new Error(`IamSimulator: Ref to unknown ${name}`);
    }
  }

  private getAtt(logicalId: string, attribute: string): unknown {
    const resource = this.resource(logicalId);
    if (attribute === 'Arn') return this.arnOf(logicalId);
    const hex = createHash('sha256').update(`${logicalId}.${attribute}`).digest('hex');
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::EC2::SecurityGroup.GroupId': return this.physicalId(logicalId);
      case 'AWS::FSx::FileSystem.LustreMountName': return hex.slice(0, 8);
      case 'AWS::FSx::FileSystem.ResourceARN': return this.arnOf(logicalId);
      case 'AWS::EC2::VPC.CidrBlock': return '10.0.0.0/16';
      case 'AWS::ECR::Repository.RepositoryUri': return `${this.account}.dkr.ecr.${this.region}.${this.ref('AWS::URLSuffix')}/${this.physicalId(logicalId)}`;
      case 'AWS::S3::Bucket.RegionalDomainName': return `${this.physicalId(logicalId)}.s3.${this.region}.${this.ref('AWS::URLSuffix')}`;
      case 'AWS::SQS::Queue.QueueName': return this.physicalId(logicalId).split('/').pop();
      case 'AWS::Events::EventBus.Name': return this.physicalId(logicalId);
      case 'AWS::StepFunctions::StateMachine.Name': return this.physicalId(logicalId).split(':').pop();
      default: throw new Error(`IamSimulator: no value for Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}); add it to getAtt`);
    }
  }

  private resource(logicalId: string): CfnResource {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`IamSimulator: no resource ${logicalId} in the template`);
    return resource;
  }
}
