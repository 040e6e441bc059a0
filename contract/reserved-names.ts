/**
 * Names a request may not set unless the launcher's `allowedReservedNames` lets them through.
 *
 * Hyperparameters `sagemaker_*` are read by SageMaker's framework containers as their own
 * configuration (`sagemaker_program`, `sagemaker_submit_directory` choose the code that runs).
 * Environment variables: `SAGEMAKER_*` and `SM_*` configure SageMaker's containers and training
 * toolkit; `AWS_*` redirect the SDK's credentials, region and endpoints; the loader, interpreter
 * and proxy variables run other code or send traffic elsewhere.
 */
const RESERVED_HYPERPARAMETER = /^sagemaker_/i;
const RESERVED_ENVIRONMENT_PREFIX = /^(SAGEMAKER_|SM_|AWS_)/i;
const RESERVED_ENVIRONMENT_NAMES = new Set([
  'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'PATH',
  'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONUSERBASE', 'PYTHONINSPECT',
  'NODE_OPTIONS', 'BASH_ENV', 'ENV', 'PERL5OPT', 'PERL5LIB', 'RUBYOPT',
  'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY',
]);

/** Why a hyperparameter name is reserved, or undefined. */
export function reservedHyperParameter(name: string, allowed: readonly string[]): string | undefined {
  if (!RESERVED_HYPERPARAMETER.test(name) || allowed.includes(name)) {
    return undefined;
  }
  return 'is reserved: sagemaker_* hyperparameters configure SageMaker\'s containers (the launcher\'s allowedReservedNames can allow it)';
}

/** Why an environment variable name is reserved, or undefined. */
export function reservedEnvironmentVariable(name: string, allowed: readonly string[]): string | undefined {
  if (allowed.includes(name)) {
    return undefined;
  }
  if (RESERVED_ENVIRONMENT_PREFIX.test(name)) {
    return 'is reserved: SAGEMAKER_*, SM_* and AWS_* variables configure SageMaker, its training toolkit and the AWS SDK (the launcher\'s allowedReservedNames can allow it)';
  }
  if (RESERVED_ENVIRONMENT_NAMES.has(name.toUpperCase())) {
    return 'is reserved: it changes which code the container loads or where its traffic goes (the launcher\'s allowedReservedNames can allow it)';
  }
  return undefined;
}

/** Whether a name is reserved at all (for validating the construct's allowedReservedNames). */
export function isReservedName(name: string): boolean {
  return RESERVED_HYPERPARAMETER.test(name) || RESERVED_ENVIRONMENT_PREFIX.test(name) || RESERVED_ENVIRONMENT_NAMES.has(name.toUpperCase());
}
