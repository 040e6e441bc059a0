import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import benchCrc32c from './crc32c.bench';
import { benchConversion } from './conversion.bench';

/** `npm run bench` (add `-- --large` for the 4 GiB RSS flatness check). Prints numbers only. */
async function main(): Promise<void> {
  const large = process.argv.includes('--large');
  await benchCrc32c();
  const bundle = spawnSync(process.execPath, [join(__dirname, '../scripts/bundle-lambdas.mjs')], { stdio: 'inherit' });
  if (bundle.status !== 0) throw new Error('bundling the CLI failed');
  await benchConversion({ large });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
