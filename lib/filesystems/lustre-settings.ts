/** FSx for Lustre metadata performance (PERSISTENT_2 only; it can only be set when the file system is created). */
export class LustreMetadataConfiguration {
  /** FSx provisions and scales metadata IOPS with the storage capacity (SSD only). */
  public static automatic(): LustreMetadataConfiguration {
    return new LustreMetadataConfiguration('AUTOMATIC');
  }

  /**
   * A fixed number of metadata IOPS: 1500, 3000, 6000, 12000, or a multiple of 12000 up to 192000.
   */
  public static userProvisioned(iops: number): LustreMetadataConfiguration {
    return new LustreMetadataConfiguration('USER_PROVISIONED', iops);
  }

  private constructor(
    /** `AUTOMATIC` or `USER_PROVISIONED`. */
    public readonly mode: string,
    /** The metadata IOPS with `USER_PROVISIONED`. */
    public readonly iops?: number,
  ) {}
}

/** Which Lustre data-repository events FSx writes to CloudWatch Logs. */
export enum LustreLogLevel {
  /** No logging. */
  DISABLED = 'DISABLED',
  /** Warnings only. */
  WARN_ONLY = 'WARN_ONLY',
  /** Errors only. */
  ERROR_ONLY = 'ERROR_ONLY',
  /** Warnings and errors. */
  WARN_ERROR = 'WARN_ERROR',
}

