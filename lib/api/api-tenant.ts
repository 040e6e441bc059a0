/**
 * A tenant as the platform API sees it: a name and the IAM principals that belong to it.
 * (Interim: replaced by the platform's tenant model.)
 */
export interface ApiTenant {
  /** The tenant's name (lowercase letters, digits and hyphens); it appears in keys and tags. */
  readonly name: string;
  /**
   * IAM principal ARN patterns (`*` wildcards) whose callers belong to this tenant. A role's STS
   * sessions match the role's ARN.
   * @default - none
   */
  readonly principalArnPatterns?: string[];
}
