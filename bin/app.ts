#!/usr/bin/env node
import { DatasetPlatformApp } from '../lib';

// The CDK CLI synthesizes the app when this process exits.
new DatasetPlatformApp();
