import type { Logger } from '@aws-lambda-powertools/logger';
import { ConversionState, DATASET_CONVERSION_FAILED, DATASET_CONVERTED } from '../../../contract/ingestion-events';
import type { EfsDatasetStore, EventPublisher, S3DatasetStore, VersionVisibility } from '../aws';
import { createPointer, type DatasetChannelRef, type UploadIdentity } from '../catalog';
import { labelsFiles, MANIFEST_FILE, type DatasetManifest } from '../dataset';
import { recordStatus } from './conversion-status';
import { convertedDetail, failedDetail, type FailedFacts } from './events';
import { describe } from './failure';
import { decidePointer } from './pointer-decision';

/**
 * Publishing a converted version, shared by every converter (the single function and the
 * distributed finalizer / failure handler), so the pointer, the EFS copy and the events are the
 * same whichever path converted it.
 */

/** The structured logger the service writes to (Powertools Logger). */
export type IngestionLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** What committing or failing a version needs. */
export interface VersionServices {
  readonly datasets: S3DatasetStore;
  readonly efs?: EfsDatasetStore;
  /** FSx for Lustre: imports the version onto the file system before any pointer names it. */
  readonly visibility?: VersionVisibility;
  readonly events: EventPublisher;
  readonly logger: IngestionLogger;
  readonly now: () => Date;
}

/** Time kept after the FSx import wait: moving the pointers, announcing, recording the status or the failure. */
export const IMPORT_WAIT_RESERVE_MS = 30_000;

/** After the manifest: where the pointers ended up and whether DatasetConverted went out now. */
export interface CommittedVersion {
  /** `current.json` in S3 names this version. */
  readonly current: boolean;
  /** The EFS pointer names it (EFS only). */
  readonly efsCurrent?: boolean;
  /** DatasetConverted was sent by this call (false: it had been sent before). */
  readonly announced: boolean;
}

/**
 * Moves `current.json` (S3, then EFS) forward to a complete version and sends `DatasetConverted`
 * once per version. Idempotent: a repeated call moves nothing and announces nothing. On FSx for
 * Lustre the version is first imported onto the file system (`visibility`): a pointer never names
 * a version a training job could see half imported; FileSystemImportError leaves every pointer as it was.
 */
export async function commitVersion(
  ref: DatasetChannelRef,
  version: string,
  upload: UploadIdentity,
  size: number | undefined,
  manifest: DatasetManifest,
  services: VersionServices,
  datasetBucket: string,
  remainingMs?: () => number,
): Promise<CommittedVersion> {
  if (services.visibility) {
    await recordStatus(services, { ref, version, upload, size, state: ConversionState.IMPORTING, progress: 1 });
    // The wait ends before the invocation does: a timeout is reported, never cut off mid-wait.
    const budgetMs = remainingMs ? remainingMs() - IMPORT_WAIT_RESERVE_MS : undefined;
    await services.visibility.waitUntilVisible(services.datasets.sink(ref, version).prefix, budgetMs);
  }
  const current = await movePointer(ref, version, upload, services);
  const efsCurrent = services.efs ? await moveEfsPointer(services.efs, ref, version, upload, services) : undefined;
  const announced = await announce(ref, version, upload, size, manifest, current, services, datasetBucket);
  await recordStatus(services, { ref, version, upload, size, state: ConversionState.CONVERTED });
  return { current, ...(efsCurrent !== undefined ? { efsCurrent } : {}), announced };
}

/**
 * Makes sure EFS holds the complete version, flushed, before any pointer names it: every file the
 * manifest names, at its size (a copy cut short is copied again from S3), then fsynced. A version
 * that is still incomplete after the copy throws, so the pointer stays where it was.
 */
export async function completeOnEfs(efs: EfsDatasetStore, datasets: S3DatasetStore, ref: DatasetChannelRef, version: string, manifest: DatasetManifest, log: IngestionLogger): Promise<void> {
  const expected = filesOf(manifest);
  const problems = await incompleteOnEfs(efs, ref, version, manifest);
  if (problems.length > 0) {
    log.info('Copying the version from S3 to EFS', { version, why: problems.slice(0, 5) });
    const prefix = datasets.sink(ref, version).prefix;
    await efs.copyVersion(ref, version, expected.map((file) => file.name), (name) => datasets.openObject(`${prefix}${name}`));
    const left = await efs.missingFiles(ref, version, expected);
    if (left.length > 0) throw new Error(`the EFS copy of ${version} is incomplete after copying it from S3: ${left.slice(0, 5).join('; ')}`);
  }
  await efs.syncVersion(ref, version);
}

/** What EFS lacks of the version (empty when every file is there at its size). */
export async function incompleteOnEfs(efs: EfsDatasetStore, ref: DatasetChannelRef, version: string, manifest: DatasetManifest): Promise<string[]> {
  if (!(await efs.hasCompleteVersion(ref, version))) return [`${MANIFEST_FILE} is missing`];
  return efs.missingFiles(ref, version, filesOf(manifest));
}

function filesOf(manifest: DatasetManifest): { name: string; bytes?: number }[] {
  return [
    ...manifest.shards.map((s) => ({ name: s.name, bytes: s.bytes })),
    ...(manifest.files ?? []).map((f) => ({ name: f.path, bytes: f.bytes })),
    ...labelsFiles(manifest).map((name) => ({ name })),
    { name: MANIFEST_FILE },
  ];
}

/** Sends `DatasetConversionFailed` and records the failure for the platform API. */
export async function publishFailure(services: VersionServices, facts: FailedFacts): Promise<void> {
  await services.events.publish(DATASET_CONVERSION_FAILED, failedDetail(facts));
  if (facts.ref && facts.version) {
    await recordStatus(services, {
      ref: facts.ref, version: facts.version, upload: facts.upload, size: facts.size,
      state: ConversionState.FAILED, code: facts.code, reason: facts.reason, message: facts.message,
    });
  }
}

/** Removes a version that has no manifest from S3 and EFS (never a complete one). */
export async function cleanUpIncomplete(ref: DatasetChannelRef, version: string, services: VersionServices): Promise<void> {
  try {
    if (!(await services.datasets.readManifest(ref, version))) await services.datasets.deleteVersion(ref, version);
    await services.efs?.deleteIncompleteVersion(ref, version);
  } catch (error) {
    services.logger.warn('Could not remove an incomplete version', { version, error: describe(error) });
  }
}

/** Compare-and-swap on `current.json`; true when it names this version afterwards. */
async function movePointer(ref: DatasetChannelRef, version: string, upload: UploadIdentity, services: VersionServices): Promise<boolean> {
  const pointer = createPointer(ref, version, upload, services.now());
  for (let attempt = 1; attempt <= 10; attempt++) {
    const current = await services.datasets.readPointer(ref);
    const decision = decidePointer(current, upload, version);
    if (decision.action === 'keep') {
      if (decision.reason === 'current-is-later') {
        services.logger.info('A later upload is already current; the pointer stays', { version, currentVersion: decision.currentVersion });
      }
      return decision.reason === 'already-current';
    }
    if (current.state === 'corrupt') services.logger.warn('Replacing a corrupt pointer', { problem: current.problem });
    if (await services.datasets.writePointer(ref, pointer, decision)) {
      services.logger.info('Pointer moved', { version, previousVersion: decision.action === 'replace' ? decision.previousVersion : undefined });
      return true;
    }
    services.logger.info('Pointer changed concurrently; reading it again', { version, attempt });
  }
  throw new Error(`current.json of ${ref.datasetId}/${ref.channel} kept changing under 10 conditional writes`);
}

async function moveEfsPointer(efs: EfsDatasetStore, ref: DatasetChannelRef, version: string, upload: UploadIdentity, services: VersionServices): Promise<boolean> {
  const pointer = createPointer(ref, version, upload, services.now());
  const decision = await efs.updatePointer(ref, pointer, (current) => decidePointer(current, upload, version));
  return decision.action !== 'keep' || decision.reason === 'already-current';
}

async function announce(
  ref: DatasetChannelRef,
  version: string,
  upload: UploadIdentity,
  size: number | undefined,
  manifest: DatasetManifest,
  current: boolean,
  services: VersionServices,
  datasetBucket: string,
): Promise<boolean> {
  if (await services.datasets.isAnnounced(ref, version)) {
    services.logger.info('DatasetConverted was already sent for this version', { version });
    return false;
  }
  const efsDirectoryPath = services.efs?.directoryPath(ref, version);
  const detail = convertedDetail({ ref, version, upload, size, datasetBucket, manifest, current, efsDirectoryPath });
  await services.events.publish(DATASET_CONVERTED, detail);
  await services.datasets.markAnnounced(ref, version);
  return true;
}
