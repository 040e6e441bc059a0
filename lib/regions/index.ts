export { Availability, RegionCapabilityTable } from './capability-table';
export type { CapabilityFact, RegionCapabilities } from './capability-table';
export type { FileSystemChoice, FileSystemChoiceOptions } from './file-system-choice';
