export { crc32c, maskCrc32c, unmaskCrc32c } from './crc32c';
export { frameRecord, RECORD_HEADER_BYTES, RECORD_FOOTER_BYTES, RECORD_OVERHEAD_BYTES } from './record-framing';
export {
  readTFRecords,
  readTFRecordsFromBuffer,
  TFRecordParser,
  TFRecordFormatError,
  DEFAULT_MAX_RECORD_BYTES,
  type TFRecord,
  type TFRecordReadOptions,
  type TFRecordProblem,
} from './record-reader';
export {
  encodeExample,
  encodeExampleEntries,
  decodeExample,
  decodeExampleEntries,
  ExampleDecodeError,
  type Feature,
  type Features,
  type FeatureEntry,
} from './example';
