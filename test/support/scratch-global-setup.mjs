// jest.config.js `globalSetup`: every synthesis and temporary file of one run lives below one scratch
// root, removed by scratch-global-teardown.mjs. Without it, each in-process `App` leaves a `cdk.out`
// folder of several MB in the system temporary directory, thousands per run.
//
// TMPDIR is set here, in jest's parent process, because the workers are started after this and
// inherit it; a setup file cannot do it (each test file sees a copy of process.env, which the
// real os.tmpdir() does not read).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function createScratchRoot() {
  const root = mkdtempSync(join(tmpdir(), 'cdk-sagemaker-datasets-test-'));
  process.env.CDK_SAGEMAKER_DATASETS_TEST_SCRATCH = root;
  process.env.TMPDIR = root;
}
