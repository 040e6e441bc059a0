#!/usr/bin/env node
import { DatasetPlatformApp } from '../lib';
import { UnsupportedRegionError } from '../lib/regions/platform-regions';
import { exampleTenants } from './example-tenants';

// The CDK CLI synthesizes the app when this process exits.
try {
  new DatasetPlatformApp({ tenants: exampleTenants() });
} catch (error) {
  // A refused region is a usage error: print the one message that lists what is missing, no stack trace.
  if (!(error instanceof UnsupportedRegionError)) {
    throw error;
  }
  console.error(error.message);
  process.exitCode = 1;
}
