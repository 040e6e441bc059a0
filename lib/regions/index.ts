export { Availability, RegionCapabilityTable } from './capability-table';
export type { CapabilityFact, RegionCapabilities } from './capability-table';
export * from './file-system-choice';
