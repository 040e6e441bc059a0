/** Recorded in every manifest; kept equal to package.json's version (a test checks it). */
export const CONVERTER_NAME = 'cdk-sagemaker-datasets';
export const CONVERTER_VERSION = '0.1.0';
