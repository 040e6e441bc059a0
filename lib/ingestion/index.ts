export * from './contract';
export * from './dataset-ingestion';
