import { ConversionFailureCode } from '../../../contract/ingestion-events';
import { FAILURE_REASONS, type FailureVerdict } from './failure';
import { formatBytes } from './time-budget';

/**
 * Pure: whether an upload of `size` bytes is over the platform's maximum upload size. Checked
 * where the size is first known (the S3 event, then the object itself when the event had none),
 * before anything reads the upload or starts a conversion, so an oversized upload costs one
 * failure event and no conversion. Undefined when it may be converted.
 */
export function assessUploadSize(size: number | undefined, maxUploadBytes: number): Extract<FailureVerdict, { kind: 'permanent' }> | undefined {
  if (size === undefined || size <= maxUploadBytes) return undefined;
  const code = ConversionFailureCode.UPLOAD_TOO_LARGE;
  return {
    kind: 'permanent',
    code,
    reason: FAILURE_REASONS[code],
    message: `The upload is ${formatBytes(size)} (${size} bytes), above the maximum upload size of ${formatBytes(maxUploadBytes)} ` +
      `(${maxUploadBytes} bytes; DatasetIngestion prop maxUploadSize, DatasetPlatformStack prop maxUploadSize). It was not converted. ` +
      'Split the dataset into several smaller uploads (channels or datasets), or ask the platform team to raise maxUploadSize.',
    rejected: [],
  };
}
