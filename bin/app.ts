#!/usr/bin/env node
import { createPlatformApp } from '../lib';

// The CDK CLI synthesizes the app when this process exits.
createPlatformApp();
