import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import {
  LauncherConfig, PlannedJob, buildCreateTrainingJobRequest, planJobs, requestRules, resolveDatasets, validateLaunchRequest,
} from '../../../lambda/src/launcher';
import type { TenantDescriptor } from '../../../contract/tenant-directory';
import { MemoryObjects, TENANT, VERSION_A, testConfig, validRequest } from './fixtures';

/** Validates, plans, resolves (against in-memory objects) and builds every job of a request. */
export async function buildRequests(overrides: Record<string, unknown> = {}, config: LauncherConfig = testConfig(), objects?: MemoryObjects, tenant: TenantDescriptor = TENANT):
  Promise<{ jobs: PlannedJob[]; requests: CreateTrainingJobCommandInput[] }> {
  const rules = requestRules(config, tenant);
  const validation = validateLaunchRequest(validRequest(overrides), rules);
  if (!validation.ok) {
    throw new Error(`invalid request: ${JSON.stringify(validation.errors)}`);
  }
  const jobs = planJobs(validation.request, rules, config.jobNamePrefix);
  const store = objects ?? new MemoryObjects().addConverted('cats', 'training', VERSION_A, 100, tenant.name).addConverted('cats', 'evaluation', VERSION_A, 100, tenant.name);
  const resolution = await resolveDatasets(store, config.datasetBucket, jobs);
  if (!resolution.ok) {
    throw new Error(`unresolved: ${JSON.stringify(resolution.errors)}`);
  }
  const requests = jobs.map((job) => buildCreateTrainingJobRequest(job, { config, tenant, clientToken: validation.request.clientToken, datasets: resolution.datasets }));
  return { jobs, requests };
}
