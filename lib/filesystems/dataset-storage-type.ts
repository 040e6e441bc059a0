/**
 * Where a platform's training jobs read datasets from: the three tiers of the region-aware choice
 * (`DatasetStorage.forRegion`).
 */
export enum DatasetStorageType {
  /** FSx for Lustre, linked to the dataset bucket by a data repository association. Channels mount it in File mode. */
  FSX_LUSTRE = 'FSxLustre',
  /** Amazon EFS, written by the converter through an access point. Channels mount it in File mode. */
  EFS = 'EFS',
  /**
   * No file system: channels read the pinned dataset version straight from the dataset bucket
   * (`S3DataSource`, FastFile by default). Nothing is provisioned or billed between jobs; every job
   * pays in start-up time instead (see {@link S3InputMode}).
   */
  S3 = 'S3',
}

/** How a training channel reads a dataset version from S3 (`Channel.InputMode`). */
export enum S3InputMode {
  /**
   * SageMaker streams the objects on demand behind a file-system view: training starts without a
   * download. Works best read sequentially, and start-up grows with the number of files (the
   * converter writes few, large TFRecord shards). Botocore SageMaker model, `TrainingInputMode`.
   */
  FAST_FILE = 'FastFile',
  /**
   * SageMaker downloads the whole version to every instance's ML storage volume before training
   * starts: start-up grows with the dataset's size, and `volumeSizeInGB` must hold it.
   */
  FILE = 'File',
}
