export * from './sagemaker-channel';
