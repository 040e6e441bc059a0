import { CLIENT_TOKEN_MAX_LENGTH, CLIENT_TOKEN_PATTERN, PLATFORM_TAGS, tenantJobNamePrefix } from '../../../contract/launcher';
import { clientTokenNameStem } from '../launcher/job-naming';
import type { ApiConfig } from './config';
import type { JobArtifactsResponse, JobDescription, JobSummary, ListJobsResponse, StopJobResponse } from '../../../contract/platform-api';
import { badRequest, conflict, notFound } from './errors';
import type { ObjectStore, TrainingJobListing, TrainingJobRecord, TrainingJobStore } from './ports';
import { TENANT_TAG } from '../../../contract/tenant-directory';

const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ACTIVE = new Set(['InProgress']);
const DEFAULT_LIST_LIMIT = 100;

/** Training-job operations of one tenant: every job is looked up and checked to be the tenant's first. */
export class JobOperations {
  constructor(
    private readonly config: ApiConfig,
    private readonly jobs: TrainingJobStore,
    private readonly objects: ObjectStore,
  ) {}

  async list(tenant: string, query: Readonly<Record<string, string | undefined>>): Promise<ListJobsResponse> {
    const tags: Record<string, string> = { [TENANT_TAG]: tenant };
    if (query.sweep) tags[PLATFORM_TAGS.SWEEP] = query.sweep;
    const limit = query.limit === undefined ? DEFAULT_LIST_LIMIT : Number(query.limit);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
      throw badRequest(`limit must be a whole number from 1 to 1000 (got ${JSON.stringify(query.limit)}).`);
    }
    let namePrefix: string;
    if (query.sweep) {
      if (!CLIENT_TOKEN_PATTERN.test(query.sweep) || query.sweep.length > CLIENT_TOKEN_MAX_LENGTH) {
        throw badRequest(`sweep ${JSON.stringify(query.sweep)} is not a client token (letters, digits and inner hyphens, at most ${CLIENT_TOKEN_MAX_LENGTH}).`);
      }
      namePrefix = clientTokenNameStem(this.config.jobNamePrefix, tenant, query.sweep);
    } else {
      namePrefix = tenantJobNamePrefix(this.config.jobNamePrefix, tenant);
    }
    const found = await this.jobs.listByNamePrefix(namePrefix, limit);
    // Names only narrow the search (a shortened token stem may match another token's jobs); the tags decide.
    const mine = found.filter((job) => Object.entries(tags).every(([key, value]) => job.tags[key] === value));
    return { jobs: mine.map(summary) };
  }

  async describe(tenant: string, name: string): Promise<JobDescription> {
    const job = await this.owned(tenant, name);
    return {
      ...summary(job),
      arn: job.arn,
      ...(job.failureReason ? { failureReason: job.failureReason } : {}),
      ...(job.instanceType ? { instanceType: job.instanceType } : {}),
      ...(job.instanceCount !== undefined ? { instanceCount: job.instanceCount } : {}),
      hyperparameters: job.hyperparameters,
      ...(job.startedAt ? { startedAt: job.startedAt.toISOString() } : {}),
      ...(job.endedAt ? { endedAt: job.endedAt.toISOString() } : {}),
      ...(job.billableSeconds !== undefined ? { billableSeconds: job.billableSeconds } : {}),
      statusHistory: job.statusHistory.map((entry) => ({
        status: entry.status,
        ...(entry.startedAt ? { startedAt: entry.startedAt.toISOString() } : {}),
        ...(entry.endedAt ? { endedAt: entry.endedAt.toISOString() } : {}),
        ...(entry.message ? { message: entry.message } : {}),
      })),
      metrics: job.metrics.map((metric) => ({ name: metric.name, value: metric.value, ...(metric.timestamp ? { timestamp: metric.timestamp.toISOString() } : {}) })),
      ...(job.modelArtifactUri ? { modelArtifactUri: job.modelArtifactUri } : {}),
    };
  }

  async stop(tenant: string, name: string): Promise<StopJobResponse> {
    const job = await this.owned(tenant, name);
    if (!ACTIVE.has(job.status)) {
      return { name, status: job.status };
    }
    await this.jobs.stop(name);
    return { name, status: 'Stopping' };
  }

  async artifacts(tenant: string, name: string): Promise<JobArtifactsResponse> {
    const job = await this.owned(tenant, name);
    if (!job.modelArtifactUri) {
      throw conflict(`Job ${name} has no model yet (status ${job.status}${job.secondaryStatus ? `/${job.secondaryStatus}` : ''}); ` +
        'SageMaker writes it when the job completes or stops.');
    }
    const model = this.inArtifactsBucket(job.modelArtifactUri, name);
    const outputKey = model.replace(/model\.tar\.gz$/, 'output.tar.gz');
    const seconds = this.config.presignSeconds;
    const link = async (key: string) => {
      const head = await this.objects.head(this.config.artifactsBucket, key);
      const uri = `s3://${this.config.artifactsBucket}/${key}`;
      if (!head) return { uri };
      const fileName = `${name}-${key.slice(key.lastIndexOf('/') + 1)}`;
      return { uri, url: await this.objects.presignGet(this.config.artifactsBucket, key, seconds, fileName), size: head.size };
    };
    const [modelLink, outputLink] = await Promise.all([link(model), link(outputKey)]);
    return { name, status: job.status, model: modelLink, output: outputLink, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
  }

  /** The job if it exists and is the tenant's; otherwise the same 404, so other tenants' job names are not revealed. */
  async owned(tenant: string, name: string): Promise<TrainingJobRecord> {
    if (!JOB_NAME.test(name) || !name.startsWith(`${this.config.jobNamePrefix}-`)) {
      throw badRequest(`${JSON.stringify(name)} is not a job name of this platform (names start with ${this.config.jobNamePrefix}-).`);
    }
    const job = await this.jobs.describe(name);
    if (!job || job.tags[TENANT_TAG] !== tenant) {
      throw notFound(`Tenant ${tenant} has no training job ${name}. List your jobs with GET /jobs.`);
    }
    return job;
  }

  /** The key of an artifact URI, which must lie in the artifacts bucket below the job's own folder. */
  private inArtifactsBucket(uri: string, name: string): string {
    const prefix = `s3://${this.config.artifactsBucket}/`;
    const key = uri.startsWith(prefix) ? uri.slice(prefix.length) : undefined;
    if (!key || !key.includes(`/${name}/`)) {
      throw conflict(`Job ${name}'s model ${uri} is outside the platform's artifacts bucket; it cannot be linked.`);
    }
    return key;
  }
}

function summary(job: TrainingJobListing): JobSummary {
  return {
    name: job.name,
    status: job.status,
    ...(job.secondaryStatus ? { secondaryStatus: job.secondaryStatus } : {}),
    ...(job.tags[PLATFORM_TAGS.SWEEP] ? { sweep: job.tags[PLATFORM_TAGS.SWEEP] } : {}),
    ...(job.tags[PLATFORM_TAGS.DATASET] ? { datasetId: job.tags[PLATFORM_TAGS.DATASET] } : {}),
    ...(job.createdAt ? { createdAt: job.createdAt.toISOString() } : {}),
  };
}
