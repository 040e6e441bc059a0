import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { crc32c } from '../lambda/src/tfrecord/crc32c';

const SIZES: readonly (readonly [string, number])[] = [
  ['64 B', 64],
  ['4 KiB', 4 * 1024],
  ['100 KiB', 100 * 1024],
  ['8 MiB', 8 * 1024 * 1024],
];
const TARGET_MB_PER_S = 1500;
const BYTES_PER_RUN = 128 * 1024 * 1024;
const RUNS = 7; // best of several short runs: the figure least disturbed by other load on the machine

/** MB/s (10^6 bytes per second) of `fn` over `buf`, best of RUNS timed runs after a warm-up. */
function measure(fn: (b: Uint8Array) => number, buf: Uint8Array): number {
  const iterations = Math.max(4, Math.ceil(BYTES_PER_RUN / buf.length));
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 1000); i++) sink ^= fn(buf);
  let best = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink ^= fn(buf);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, (buf.length * iterations) / seconds / 1e6);
  }
  if (sink === 0.5) console.log(sink); // keeps the calls from being optimised away
  return best;
}

export default async function benchCrc32c(): Promise<void> {
  console.log('CRC-32C throughput, MB/s (pure-JS slice-by-16 vs @node-rs/crc32 native baseline)');
  console.log(`${'size'.padEnd(8)} ${'ours'.padStart(8)} ${'native'.padStart(8)}  ratio`);
  let eightMiB = 0;
  for (const [label, size] of SIZES) {
    const buf = new Uint8Array(size);
    for (let i = 0; i < size; i++) buf[i] = (i * 2654435761) >>> 24;
    if (crc32c(buf) !== nativeCrc32c(buf)) throw new Error(`crc32c disagrees with @node-rs/crc32 on ${label}`);
    const ours = measure(crc32c, buf);
    const native = measure((b) => nativeCrc32c(b), buf);
    if (size === 8 * 1024 * 1024) eightMiB = ours;
    console.log(`${label.padEnd(8)} ${ours.toFixed(0).padStart(8)} ${native.toFixed(0).padStart(8)}  ${(ours / native).toFixed(2)}`);
  }
  const met = eightMiB >= TARGET_MB_PER_S;
  console.log(`target >= ${TARGET_MB_PER_S} MB/s on 8 MiB: ${met ? 'met' : 'NOT met'} (${eightMiB.toFixed(0)} MB/s)`);
}
