import { modelPattern } from './model-pattern';

/**
 * CreateTrainingJob limits, from the SageMaker API model (botocore `sagemaker/2017-07-24`), with
 * every pattern anchored: the model's patterns are unanchored, but SageMaker enforces them as
 * whole-string matches, with Java's `.` (no line terminators; see model-pattern.ts). test/launcher/botocore-model.test.ts checks built requests against the
 * model itself, so a drift between these constants and the model fails a test.
 */
export const SAGEMAKER_LIMITS = {
  trainingJobName: { max: 63, pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/ },
  hyperParameters: { maxEntries: 100, maxKeyLength: 256, maxValueLength: 2500, keyPattern: modelPattern('.*'), valuePattern: modelPattern('.*') },
  environment: { maxEntries: 100, maxKeyLength: 512, maxValueLength: 512, keyPattern: /^[a-zA-Z_][a-zA-Z0-9_]*$/ },
  channels: { min: 1, max: 20, maxNameLength: 64, namePattern: /^[A-Za-z0-9.\-_]+$/ },
  contentType: { maxLength: 256, pattern: modelPattern('.*') },
  subnets: { min: 1, max: 16, maxIdLength: 32, idPattern: /^[-0-9a-zA-Z]+$/ },
  securityGroups: { min: 1, max: 5, maxIdLength: 32, idPattern: /^[-0-9a-zA-Z]+$/ },
  tags: {
    max: 50,
    maxKeyLength: 128,
    maxValueLength: 256,
    pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  },
  s3Uri: { maxLength: 1024, pattern: modelPattern('(https|s3)://([^/]+)/?(.*)') },
  trainingImage: { maxLength: 255, pattern: modelPattern('.*') },
  /** StoppingCondition.MaxRuntimeInSeconds: the model says min 1; the documented maximum is 28 days. */
  maxRuntimeInSeconds: { min: 1, max: 28 * 24 * 3600 },
  roleArn: { min: 20, max: 2048, pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/ },
  kmsKeyId: { maxLength: 2048, pattern: /^[a-zA-Z0-9:/_-]*$/ },
  fileSystemId: { min: 11, max: 21, pattern: /^fs-[0-9a-f]{8,}$/ },
  directoryPath: { maxLength: 4096, pattern: modelPattern('.*') },
  checkpointLocalPath: { maxLength: 4096, pattern: modelPattern('.*') },
  /** AlgorithmSpecification.MetricDefinitions: names and regexes match the model's `.+` (Java's `.`: no line terminators). */
  metricDefinitions: {
    maxDefinitions: 40,
    name: { min: 1, max: 255, pattern: modelPattern('.+') },
    regex: { min: 1, max: 500, pattern: modelPattern('.+') },
  },
} as const;

/** The 28-day ceiling of MaxRuntimeInSeconds, in seconds (2,419,200). */
export const MAX_RUNTIME_CEILING_SECONDS = SAGEMAKER_LIMITS.maxRuntimeInSeconds.max;

/** A SageMaker training instance type as the API spells it (`ml.<family>.<size>`). */
export const INSTANCE_TYPE_PATTERN = /^ml\.[a-z0-9-]+\.[a-z0-9-]+$/;

/**
 * Instance families with local NVMe instance storage. SageMaker rejects `VolumeKmsKeyId` for
 * them ("Certain Nitro-based instances include local storage … You can't request a
 * VolumeKmsKeyId when using an instance type with local storage"); their instance storage is
 * encrypted by a hardware module instead. Families whose name has a `d` after the generation
 * digit (c5d, m5d, g4dn, p3dn, p4d, p4de, m6id…) plus the GPU/Trainium families that always
 * carry NVMe storage.
 */
const LOCAL_STORAGE_FAMILY = /^ml\.([a-z]+\d+[a-z]*d[a-z]*|g5|g6|g6e|gr6|p5|p5e|p5en|trn1|trn1n|trn2)\./;

/** Whether SageMaker refuses a volume KMS key for this instance type (it has local NVMe storage). */
export function hasLocalInstanceStorage(instanceType: string): boolean {
  return LOCAL_STORAGE_FAMILY.test(instanceType);
}
