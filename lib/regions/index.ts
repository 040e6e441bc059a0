export { Availability, RegionCapabilityTable } from './capability-table';
export type { CapabilityFact, RegionCapabilities } from './capability-table';
export type { DatasetStorageChoice, DatasetStorageChoiceOptions } from './file-system-choice';
