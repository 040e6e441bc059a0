import { Token } from 'aws-cdk-lib';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { joinDirectoryPath } from '../../contract/sagemaker-channel';
import { Availability, CapabilityFact, RegionCapabilities } from '../regions/capability-table';
import {
  PURE, PropContext, integerIn, knownPositive, matchesPattern, numberOneOf, throwUnscoped, wholeDaysIn,
} from '../validation';
import { LustreDatasetFileSystemAttributes, LustreDatasetFileSystemOptions } from './lustre-props';
import { LustreLogLevel, LustreMetadataConfiguration } from './lustre-settings';

/**
 * The FSx for Lustre rules as pure functions: each takes props and the region's capabilities and
 * returns the settings to emit, or throws an `UnscopedValidationError` that says what to change.
 * The constructs attach the errors to themselves (`rethrowInScope`); tests call these directly.
 */

/** A synthesis warning to emit on the file system. */
export interface LustreWarning {
  /** The warning id (acknowledgeable with `Annotations.acknowledgeWarning`). */
  readonly id: string;
  /** The message. */
  readonly message: string;
}

/** What the rules resolve the props to, and what to tell the user. */
export interface LustreSettings {
  readonly deploymentType: fsx.LustreDeploymentType;
  readonly storageType: fsx.StorageType;
  readonly fileSystemTypeVersion: fsx.FileSystemTypeVersion;
  /** SCRATCH_1 or SCRATCH_2. */
  readonly scratch: boolean;
  readonly storageCapacityGiB: number;
  readonly perUnitStorageThroughput?: number;
  readonly metadata?: LustreMetadataConfiguration;
  /** 0 when off; a token when the prop is one. */
  readonly automaticBackupRetentionDays: number;
  /** The log level to emit; undefined: no LogConfiguration. */
  readonly logLevel?: LustreLogLevel;
  readonly warnings: LustreWarning[];
  readonly infos: string[];
}

/** The most data repository associations one file system takes. */
export const MAX_DATA_REPOSITORY_ASSOCIATIONS = 8;

const factText = (f: CapabilityFact) => `${f.availability}: ${f.source}`;

/** Resolves and checks every prop of a new file system but its placement (subnet) and log group. */
export function resolveLustreSettings(options: LustreDatasetFileSystemOptions, caps: RegionCapabilities): LustreSettings {
  const warnings: LustreWarning[] = [];
  const infos: string[] = [];
  checkLustreRegion(options, caps, warnings);

  const deploymentType = options.deploymentType ?? fsx.LustreDeploymentType.PERSISTENT_2;
  const storageType = options.storageType ?? fsx.StorageType.SSD;
  const version = options.fileSystemTypeVersion ?? fsx.FileSystemTypeVersion.V_2_15;
  const scratch = deploymentType === fsx.LustreDeploymentType.SCRATCH_1 || deploymentType === fsx.LustreDeploymentType.SCRATCH_2;
  const persistent2 = deploymentType === fsx.LustreDeploymentType.PERSISTENT_2;
  const region = caps.region;

  if (scratch && caps.scratchDeploymentTypes.availability === Availability.UNAVAILABLE) {
    throwUnscoped('DeploymentTypeUnavailable', `${deploymentType} is not available in ${region} (${factText(caps.scratchDeploymentTypes)}). Use deploymentType: PERSISTENT_2.`);
  }
  if (persistent2 && caps.persistent2DeploymentType.availability === Availability.UNAVAILABLE) {
    throwUnscoped('DeploymentTypeUnavailable', `PERSISTENT_2 is not available in ${region} (${factText(caps.persistent2DeploymentType)}). Use deploymentType: PERSISTENT_1.`);
  }

  checkStorageType(options, deploymentType, storageType);
  const throughput = resolveThroughput(options.perUnitStorageThroughput, deploymentType, storageType);
  const capacity = options.storageCapacityGiB ?? 1200;
  checkStorageCapacity(capacity, deploymentType, storageType, throughput);
  const metadata = resolveMetadata(options, caps, deploymentType, storageType, version, warnings, infos);
  checkEfa(options, caps, { persistent2, metadata, version, storageType }, warnings);
  const backupDays = resolveBackupRetention(options, deploymentType, scratch);
  checkLegacyLink(options, deploymentType);
  const logLevel = resolveLogLevel(options, caps, warnings, infos);

  return {
    deploymentType, storageType, fileSystemTypeVersion: version, scratch, storageCapacityGiB: capacity,
    perUnitStorageThroughput: throughput, metadata, automaticBackupRetentionDays: backupDays, logLevel, warnings, infos,
  };
}

/** Whether FSx for Lustre, and SageMaker channels reading it, exist in the region. */
export function checkLustreRegion(options: LustreDatasetFileSystemOptions, caps: RegionCapabilities, warnings: LustreWarning[]): void {
  const region = caps.region;
  if (caps.fsxLustreFileSystem.availability === Availability.UNAVAILABLE) {
    throwUnscoped('FsxUnavailable', `CloudFormation cannot create FSx for Lustre file systems in ${region} (${factText(caps.fsxLustreFileSystem)}). Use EfsDatasetFileSystem here.`);
  }
  if (caps.fsxLustreFileSystem.availability === Availability.UNVERIFIED) {
    warnings.push({ id: 'cdk-sagemaker-datasets:fsxUnverified', message: `FSx for Lustre in ${region} is unverified (${factText(caps.fsxLustreFileSystem)}).` });
  }
  const channel = caps.sageMakerFsxLustreChannel;
  if (channel.availability === Availability.AVAILABLE) return;
  if (options.assumeSageMakerFsxChannelSupported) {
    warnings.push({
      id: 'cdk-sagemaker-datasets:sageMakerFsxAssumed',
      message: `assumeSageMakerFsxChannelSupported is set for ${region}, but the capability table says ${factText(channel)}. Test a training job that reads this file system before relying on it.`,
    });
  } else if (channel.availability === Availability.UNAVAILABLE) {
    throwUnscoped('SageMakerFsxChannelUnavailable', `SageMaker training jobs cannot read FSx for Lustre channels in ${region} (${factText(channel)}). ` +
      'Use EfsDatasetFileSystem, or DatasetFileSystems.forRegion() which picks EFS here; set assumeSageMakerFsxChannelSupported: true only after verifying it.');
  } else {
    warnings.push({
      id: 'cdk-sagemaker-datasets:sageMakerFsxUnverified',
      message: `Whether SageMaker reads FSx for Lustre channels in ${region} is unverified (${factText(channel)}). Test a training job before relying on it.`,
    });
  }
}

/** Storage type against deployment type (Intelligent-Tiering cannot link to S3; HDD is PERSISTENT_1 only). */
export function checkStorageType(options: LustreDatasetFileSystemOptions, deploymentType: fsx.LustreDeploymentType, storageType: fsx.StorageType): void {
  if (storageType === fsx.StorageType.INTELLIGENT_TIERING) {
    throwUnscoped('InvalidStorageType', 'storageType INTELLIGENT_TIERING is not supported: FSx cannot link Intelligent-Tiering file systems to S3 with data repository associations. Use fsx.StorageType.SSD.');
  }
  if (storageType === fsx.StorageType.HDD && deploymentType !== fsx.LustreDeploymentType.PERSISTENT_1) {
    throwUnscoped('InvalidStorageType', `storageType HDD needs deploymentType PERSISTENT_1 (got ${deploymentType}). Use fsx.StorageType.SSD, or PERSISTENT_1.`);
  }
  if (options.driveCacheType !== undefined && storageType !== fsx.StorageType.HDD) {
    throwUnscoped('InvalidDriveCacheType', 'driveCacheType applies to PERSISTENT_1 HDD file systems only. Remove it, or set storageType: fsx.StorageType.HDD.');
  }
}

/** The throughputs (MB/s/TiB) a deployment and storage type take; empty for SCRATCH types. */
export function allowedThroughputs(deploymentType: fsx.LustreDeploymentType, storageType: fsx.StorageType): number[] {
  if (deploymentType === fsx.LustreDeploymentType.PERSISTENT_2) return [125, 250, 500, 1000];
  if (deploymentType === fsx.LustreDeploymentType.PERSISTENT_1) return storageType === fsx.StorageType.HDD ? [12, 40] : [50, 100, 200];
  return [];
}

/** The requested or default throughput, checked against what the types take; undefined for SCRATCH. */
export function resolveThroughput(requested: number | undefined, deploymentType: fsx.LustreDeploymentType, storageType: fsx.StorageType): number | undefined {
  const allowed = allowedThroughputs(deploymentType, storageType);
  if (allowed.length === 0) {
    if (requested !== undefined) {
      throwUnscoped('InvalidPerUnitStorageThroughput', `perUnitStorageThroughput applies to PERSISTENT_1 and PERSISTENT_2 only (got ${requested} with ${deploymentType}). Remove it.`);
    }
    return undefined;
  }
  if (requested === undefined) {
    return allowed[0];
  }
  return numberOneOf(PURE, 'perUnitStorageThroughput', requested, allowed,
    `${deploymentType} ${storageType} file systems take only these MB/s per TiB of storage.`);
}

/** The FSx `StorageCapacity` rules (FSx API `CreateFileSystem`); tokens pass unchecked. */
export function checkStorageCapacity(capacity: number, deploymentType: fsx.LustreDeploymentType, storageType: fsx.StorageType, throughput: number | undefined): void {
  if (Token.isUnresolved(capacity)) return;
  const fail = (message: string): never => throwUnscoped('InvalidStorageCapacityGiB', message);
  if (!Number.isInteger(capacity) || capacity <= 0) {
    fail(`storageCapacityGiB must be a positive whole number of GiB (got ${capacity}).`);
  }
  if (deploymentType === fsx.LustreDeploymentType.SCRATCH_1) {
    if (!(capacity === 1200 || capacity === 2400 || capacity % 3600 === 0)) {
      fail(`storageCapacityGiB ${capacity} is not valid for SCRATCH_1: use 1200, 2400 or a multiple of 3600 (next valid: ${nextValidCapacity(capacity, 3600)}).`);
    }
    return;
  }
  if (storageType === fsx.StorageType.HDD) {
    const step = throughput === 40 ? 1800 : 6000;
    if (capacity % step !== 0) {
      fail(`storageCapacityGiB ${capacity} is not valid for PERSISTENT_1 HDD at ${throughput} MB/s/TiB: use a multiple of ${step} (next valid: ${Math.ceil(capacity / step) * step}).`);
    }
    return;
  }
  if (!(capacity === 1200 || capacity === 2400 || capacity % 2400 === 0)) {
    fail(`storageCapacityGiB ${capacity} is not valid for ${deploymentType} SSD: use 1200, 2400 or a multiple of 2400 (next valid: ${nextValidCapacity(capacity, 2400)}).`);
  }
}

function nextValidCapacity(capacity: number, step: number): number {
  if (capacity <= 1200) return 1200;
  if (capacity <= 2400) return 2400;
  return Math.ceil(capacity / step) * step;
}

/** The Lustre version and metadata configuration to emit (PERSISTENT_2 only, where the region's schema has it). */
export function resolveMetadata(options: LustreDatasetFileSystemOptions, caps: RegionCapabilities, deploymentType: fsx.LustreDeploymentType,
  storageType: fsx.StorageType, version: fsx.FileSystemTypeVersion, warnings: LustreWarning[], infos: string[]): LustreMetadataConfiguration | undefined {
  const persistent2 = deploymentType === fsx.LustreDeploymentType.PERSISTENT_2;
  if (version === fsx.FileSystemTypeVersion.V_2_10 && persistent2) {
    throwUnscoped('InvalidFileSystemTypeVersion', 'Lustre 2.10 does not run on PERSISTENT_2 (CreateFileSystem fails). Use fsx.FileSystemTypeVersion.V_2_15.');
  }
  if (options.metadataConfiguration && !persistent2) {
    throwUnscoped('InvalidMetadataConfiguration', `metadataConfiguration applies to PERSISTENT_2 only (got ${deploymentType}). Remove it, or use PERSISTENT_2.`);
  }
  if (!persistent2) return undefined;
  const region = caps.region;
  const fact = caps.lustreMetadataConfiguration;
  let metadata: LustreMetadataConfiguration | undefined;
  if (options.metadataConfiguration) {
    if (fact.availability === Availability.UNAVAILABLE) {
      throwUnscoped('InvalidMetadataConfiguration', `metadataConfiguration cannot be emitted in ${region}: the region's AWS::FSx::FileSystem schema has no MetadataConfiguration (${factText(fact)}). Remove it.`);
    }
    if (fact.availability === Availability.UNVERIFIED) {
      warnings.push({
        id: 'cdk-sagemaker-datasets:metadataUnverified',
        message: `MetadataConfiguration is emitted as requested, but whether ${region}'s CloudFormation schema has it is unverified (${factText(fact)}).`,
      });
    }
    metadata = options.metadataConfiguration;
  } else if (fact.availability === Availability.AVAILABLE) {
    metadata = LustreMetadataConfiguration.automatic();
  } else {
    infos.push(`MetadataConfiguration is not emitted in ${region} (${factText(fact)}); FSx uses its default metadata performance.`);
  }
  if (metadata) {
    checkMetadata(metadata, storageType);
    if (version !== fsx.FileSystemTypeVersion.V_2_15) {
      throwUnscoped('InvalidFileSystemTypeVersion', `a metadata configuration needs Lustre 2.15 (got ${version}). Use fsx.FileSystemTypeVersion.V_2_15.`);
    }
  }
  return metadata;
}

/** The metadata mode against the storage type, and user-provisioned IOPS (1500, 3000, 6000, 12000 or a multiple of 12000 up to 192000). */
export function checkMetadata(metadata: LustreMetadataConfiguration, storageType: fsx.StorageType): void {
  if (metadata.mode === 'AUTOMATIC') {
    if (storageType !== fsx.StorageType.SSD) {
      throwUnscoped('InvalidMetadataConfiguration', 'metadata mode AUTOMATIC needs SSD storage. Use LustreMetadataConfiguration.userProvisioned(iops).');
    }
    return;
  }
  const iops = metadata.iops;
  if (iops === undefined || Token.isUnresolved(iops)) return;
  const valid = [1500, 3000, 6000, 12000].includes(iops) || (Number.isInteger(iops) && iops % 12000 === 0 && iops >= 12000 && iops <= 192000);
  if (!valid) {
    throwUnscoped('InvalidMetadataIops', `metadata IOPS ${iops} is not valid: use 1500, 3000, 6000, 12000 or a multiple of 12000 up to 192000.`);
  }
}

/** What `efaEnabled` needs. */
export interface EfaPrerequisites {
  readonly persistent2: boolean;
  readonly metadata?: LustreMetadataConfiguration;
  readonly version: fsx.FileSystemTypeVersion;
  readonly storageType: fsx.StorageType;
}

/** EFA needs PERSISTENT_2 SSD, Lustre 2.15, a metadata configuration and a region whose schema has `EfaEnabled`. */
export function checkEfa(options: LustreDatasetFileSystemOptions, caps: RegionCapabilities, given: EfaPrerequisites, warnings: LustreWarning[]): void {
  if (!options.efaEnabled) return;
  const fact = caps.lustreEfa;
  if (fact.availability === Availability.UNAVAILABLE) {
    throwUnscoped('InvalidEfaEnabled', `efaEnabled cannot be emitted in ${caps.region}: the region's AWS::FSx::FileSystem schema has no EfaEnabled (${factText(fact)}). Remove it.`);
  }
  if (fact.availability === Availability.UNVERIFIED) {
    warnings.push({ id: 'cdk-sagemaker-datasets:efaUnverified', message: `EfaEnabled is emitted, but whether ${caps.region}'s schema has it is unverified (${factText(fact)}).` });
  }
  if (!given.persistent2 || !given.metadata || given.version !== fsx.FileSystemTypeVersion.V_2_15 || given.storageType !== fsx.StorageType.SSD) {
    throwUnscoped('InvalidEfaEnabled', 'efaEnabled needs PERSISTENT_2 SSD, Lustre 2.15 and a metadata configuration. Adjust deploymentType, fileSystemTypeVersion and metadataConfiguration, or remove efaEnabled.');
  }
}

/** Automatic backup retention in whole days (0–90; a token passes); none on SCRATCH types. */
export function resolveBackupRetention(options: LustreDatasetFileSystemOptions, deploymentType: fsx.LustreDeploymentType, scratch: boolean): number {
  const days = options.automaticBackupRetention
    ? wholeDaysIn(PURE, 'automaticBackupRetention', options.automaticBackupRetention, 0, 90,
      'FSx keeps automatic backups for up to 90 days; use Duration.days(0) with data repository associations (the data lives in S3).')
    : 0;
  if (scratch && knownPositive(days)) {
    throwUnscoped('InvalidAutomaticBackupRetention', `${deploymentType} file systems have no automatic backups. Remove automaticBackupRetention, or use a PERSISTENT type.`);
  }
  if (options.dailyAutomaticBackupStartTime && !Token.isUnresolved(days) && days === 0) {
    throwUnscoped('InvalidDailyAutomaticBackupStartTime', 'dailyAutomaticBackupStartTime needs automaticBackupRetention of at least 1 day.');
  }
  return days;
}

/** The legacy S3 link (`importPath` and friends): SCRATCH and PERSISTENT_1 only, never with data repository associations. */
export function checkLegacyLink(options: LustreDatasetFileSystemOptions, deploymentType: fsx.LustreDeploymentType): void {
  const { importPath, exportPath, autoImportPolicy, importedFileChunkSizeMiB } = options;
  const legacy = importPath !== undefined || exportPath !== undefined || autoImportPolicy !== undefined || importedFileChunkSizeMiB !== undefined;
  if (!legacy) return;
  const fail = (message: string): never => throwUnscoped('InvalidImportPath', message);
  if (importPath === undefined) {
    return fail('exportPath, autoImportPolicy and importedFileChunkSizeMiB need importPath. Prefer a data repository association (addDataRepositoryAssociation).');
  }
  if ((options.dataRepositoryAssociations ?? []).length > 0) {
    fail('importPath/exportPath/autoImportPolicy cannot be combined with data repository associations. Remove importPath and link S3 with dataRepositoryAssociations only.');
  }
  if (deploymentType === fsx.LustreDeploymentType.PERSISTENT_2) {
    fail('importPath, exportPath, autoImportPolicy and importedFileChunkSizeMiB are not supported on PERSISTENT_2. Link S3 with a data repository association instead.');
  }
  if (!Token.isUnresolved(importPath)) {
    if (!/^s3:\/\/[^/]+/.test(importPath)) {
      fail(`importPath ${JSON.stringify(importPath)} must look like s3://bucket/optional-prefix.`);
    }
    if (importPath.length > 900) {
      fail(`importPath is ${importPath.length} characters long; at most 900.`);
    }
    if (exportPath !== undefined && !Token.isUnresolved(exportPath)) {
      const bucketOf = (p: string) => p.replace(/^s3:\/\//, '').split('/')[0];
      if (!exportPath.startsWith('s3://') || bucketOf(exportPath) !== bucketOf(importPath)) {
        throwUnscoped('InvalidExportPath', `exportPath ${JSON.stringify(exportPath)} must be in the same bucket as importPath (s3://${bucketOf(importPath)}/…).`);
      }
    }
  }
  if (importedFileChunkSizeMiB !== undefined) {
    checkImportedFileChunkSize(PURE, importedFileChunkSizeMiB);
  }
}

/** `importedFileChunkSizeMiB` of a file system or data repository association: 1–512000 MiB; tokens pass. */
export function checkImportedFileChunkSize(ctx: PropContext, value: number): number {
  return integerIn(ctx, 'importedFileChunkSizeMiB', value, 1, 512000, 'FSx stripes imported files in chunks of 1 MiB to 512000 MiB; the default is 1024.');
}

/**
 * The Lustre log level to emit: WARN_ERROR by default where the region's schema has
 * `LogConfiguration`, the requested level where it may, undefined for none. Also checks the log
 * group options against it.
 */
export function resolveLogLevel(options: LustreDatasetFileSystemOptions, caps: RegionCapabilities, warnings: LustreWarning[], infos: string[]): LustreLogLevel | undefined {
  const fact = caps.lustreLogConfiguration;
  const region = caps.region;
  const requested = options.logLevel;
  let level: LustreLogLevel | undefined;
  if (requested === undefined) {
    if (fact.availability === Availability.AVAILABLE) {
      level = LustreLogLevel.WARN_ERROR;
    } else {
      infos.push(`LogConfiguration is not emitted in ${region} (${fact.availability}: ${fact.source}). Set logLevel to emit it.`);
    }
  } else if (fact.availability === Availability.UNAVAILABLE) {
    if (requested !== LustreLogLevel.DISABLED) {
      throwUnscoped('InvalidLogLevel', `logLevel cannot be emitted in ${region}: the region's AWS::FSx::FileSystem schema has no LogConfiguration (${fact.source}). Remove logLevel.`);
    }
  } else {
    if (fact.availability === Availability.UNVERIFIED) {
      warnings.push({
        id: 'cdk-sagemaker-datasets:logConfigurationUnverified',
        message: `LogConfiguration is emitted as requested, but whether ${region}'s CloudFormation schema has it is unverified (${fact.source}).`,
      });
    }
    level = requested;
  }
  if ((options.logGroup || options.logRetention || options.logEncryptionKey) && (level === undefined || level === LustreLogLevel.DISABLED)) {
    throwUnscoped('InvalidLogLevel', 'logGroup, logRetention and logEncryptionKey need logging: set logLevel to WARN_ONLY, ERROR_ONLY or WARN_ERROR.');
  }
  if (options.logGroup && (options.logRetention || options.logEncryptionKey)) {
    throwUnscoped('InvalidLogGroup', 'logRetention and logEncryptionKey shape a new log group; remove them when passing logGroup.');
  }
  const groupName = options.logGroup?.logGroupName;
  if (level !== undefined && level !== LustreLogLevel.DISABLED && groupName !== undefined && !Token.isUnresolved(groupName) && !groupName.startsWith('/aws/fsx')) {
    throwUnscoped('InvalidLogGroup', `logGroup ${groupName} cannot receive FSx logs: FSx writes only to log groups whose name starts with /aws/fsx. Use a group named /aws/fsx/….`);
  }
  return level;
}

/** Throws unless `path` is an absolute, normalized directory (`/`, `/datasets`, `/a/b`); tokens pass. */
export function checkAbsoluteDirectory(prop: string, path: string): void {
  if (Token.isUnresolved(path)) return;
  if (!path.startsWith('/')) {
    throwUnscoped('RelativeDirectory', `${prop} ${JSON.stringify(path)} must be absolute (start with /).`);
  }
  let normalized: string;
  try {
    normalized = joinDirectoryPath([path]);
  } catch (error) {
    return throwUnscoped('InvalidDirectory', `${prop} ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
  if (normalized !== path) {
    throwUnscoped('UnnormalizedDirectory', `${prop} ${JSON.stringify(path)} is not normalized; use ${JSON.stringify(normalized)}.`);
  }
}

/** The identifiers of an imported file system (tokens, e.g. SSM parameters, pass). */
export function checkLustreAttributes(attrs: LustreDatasetFileSystemAttributes): void {
  matchesPattern(PURE, 'fileSystemId', attrs.fileSystemId, /^fs-[0-9a-f]{8,}$/,
    'it is not an FSx file-system id (fs- followed by at least 8 lowercase hex digits)', 'Copy FileSystemId from DescribeFileSystems.');
  matchesPattern(PURE, 'mountName', attrs.mountName, /^[A-Za-z0-9_-]{1,8}$/,
    'it is not a Lustre mount name (1-8 of A-Z a-z 0-9 _ -; \'fsx\' for SCRATCH_1)', 'Copy LustreMountName from DescribeFileSystems.');
  matchesPattern(PURE, 'securityGroupId', attrs.securityGroupId, /^sg-[0-9a-f]+$/,
    'it is not a security group id (sg-…)', 'Pass the file system\'s security group id.');
  if (attrs.datasetDirectory !== undefined) checkAbsoluteDirectory('datasetDirectory', attrs.datasetDirectory);
}

/** What decides whether a file system can take another data repository association. */
export interface AssociationTarget {
  readonly existingAssociations: number;
  readonly deploymentType: fsx.LustreDeploymentType;
  readonly fileSystemTypeVersion: fsx.FileSystemTypeVersion;
  readonly importPath?: string;
  readonly automaticBackupRetentionDays: number;
}

/** Throws unless the file system can take the data repository association `id` in the region. */
export function checkCanAddDataRepositoryAssociation(id: string, target: AssociationTarget, caps: RegionCapabilities): void {
  const fail = (message: string): never => throwUnscoped('DataRepositoryAssociationNotAllowed', `data repository association '${id}': ${message}`);
  if (target.existingAssociations >= MAX_DATA_REPOSITORY_ASSOCIATIONS) {
    fail(`a file system takes at most ${MAX_DATA_REPOSITORY_ASSOCIATIONS} data repository associations. Link a common parent prefix instead.`);
  }
  if (target.deploymentType === fsx.LustreDeploymentType.SCRATCH_1) {
    fail('SCRATCH_1 file systems do not support data repository associations. Use PERSISTENT_2 (or SCRATCH_2 / PERSISTENT_1).');
  }
  if (target.fileSystemTypeVersion === fsx.FileSystemTypeVersion.V_2_10) {
    fail('data repository associations need Lustre 2.12 or 2.15 (got 2.10). Use fsx.FileSystemTypeVersion.V_2_15.');
  }
  if (target.importPath !== undefined) {
    fail('the file system uses the legacy importPath/exportPath/autoImportPolicy link, which FSx does not combine with data repository associations. Remove importPath, exportPath and autoImportPolicy.');
  }
  if (knownPositive(target.automaticBackupRetentionDays)) {
    fail(`FSx cannot link a file system with automatic backups (automaticBackupRetention ${target.automaticBackupRetentionDays} days) to S3. Set automaticBackupRetention to Duration.days(0); the data lives in S3.`);
  }
  if (caps.dataRepositoryAssociation.availability === Availability.UNAVAILABLE) {
    fail(`CloudFormation has no AWS::FSx::DataRepositoryAssociation in ${caps.region} (${caps.dataRepositoryAssociation.source}).`);
  }
}
