// jest.config.js `globalTeardown`: removes the run's scratch root (see scratch-global-setup.mjs).
import { rmSync } from 'node:fs';

export default async function removeScratchRoot() {
  const root = process.env.CDK_SAGEMAKER_DATASETS_TEST_SCRATCH;
  if (root) rmSync(root, { recursive: true, force: true });
}
