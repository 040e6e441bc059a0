import { build } from 'esbuild';
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ZipWriter } from '../test/support/zip-builder';

/** Where benchmarks keep generated inputs and bundles (gitignored; reused across runs). */
export const BENCH_DIR = join(__dirname, '..', '.bench');

/**
 * Bundles one entry point the way scripts/bundle-lambdas.mjs does, into .bench/, so a benchmark
 * measures the shipped code without depending on every handler building or rewriting assets/.
 */
export async function bundleForBench(entryPoint: string, outfile: string): Promise<void> {
  await build({ entryPoints: [entryPoint], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', legalComments: 'none', logLevel: 'warning' });
}

/** Writes a zip through the test zip writer to a temporary name, renamed only once complete. */
export function writeZipFile(file: string, fill: (writer: ZipWriter) => void): void {
  const temp = `${file}.partial`;
  const fd = openSync(temp, 'w');
  try {
    const writer = new ZipWriter((chunk) => {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
    });
    fill(writer);
    writer.finish();
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
