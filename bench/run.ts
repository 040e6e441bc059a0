import { build } from 'esbuild';
import { join } from 'node:path';
import benchCrc32c from './crc32c.bench';
import { BENCH_CLI, benchConversion } from './conversion.bench';
import { benchDistributedWorker } from './distributed-worker.bench';

/** `npm run bench` (add `-- --large` for the 4 GiB RSS flatness check). Prints numbers only. */
async function main(): Promise<void> {
  const large = process.argv.includes('--large');
  await benchCrc32c();
  // The CLI alone, with scripts/bundle-lambdas.mjs's options, so the bench neither depends on every
  // handler building nor rewrites assets/.
  await build({
    entryPoints: [join(__dirname, '../lambda/src/cli/main.ts')],
    outfile: BENCH_CLI,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await benchConversion({ large });
  await benchDistributedWorker();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
