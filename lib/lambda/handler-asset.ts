import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

const PACKAGE_NAME = 'cdk-sagemaker-datasets';

/** The package root: the nearest folder above this file whose package.json is this package's. */
export function packageRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) {
      return dir;
    }
  }
  throw new Error(`Cannot find the ${PACKAGE_NAME} package root above ${__dirname}.`);
}

/**
 * The prebuilt bundle of one Lambda handler (`lambda/src/handlers/<name>.ts`, bundled by
 * `scripts/bundle-lambdas.mjs` into `assets/handlers/<name>/index.js`). Consumers of the library
 * synthesize from these files without esbuild or Docker.
 */
export function handlerCode(name: string): lambda.Code {
  const dir = join(packageRoot(), 'assets', 'handlers', name);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`The bundled Lambda handler '${name}' is missing at ${dir}. Run \`npm run bundle\` (npm ci runs it) to build assets/.`);
  }
  return lambda.Code.fromAsset(dir);
}
