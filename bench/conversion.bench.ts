import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { SeededRandom } from '../lambda/src/dataset/seeded-random';
import { jpegBytes, pngBytes } from '../test/support/images';
import { BENCH_DIR, writeZipFile } from './bench-files';

/** The bundled CLI that bench/run.ts builds. */
export const BENCH_CLI = join(BENCH_DIR, 'cli', 'index.js');
const GiB = 1024 ** 3;
const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

interface Variant {
  readonly name: string;
  readonly bytes: number;
  readonly deflate: boolean;
}

interface Run {
  readonly wallSeconds: number;
  readonly maxRssMb: number | undefined;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Converts generated zips of image-like entries with the bundled CLI in a child process and runs
 * `unzip -p FILE > /dev/null` on the same file as the baseline. Prints numbers; asserts nothing.
 */
export async function benchConversion(options: { large: boolean }): Promise<Map<string, number>> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const unzip = which('unzip');
  const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  if (!unzip) console.log('unzip not found: no baseline. Install it with `apt-get install -y unzip` (Debian).');
  if (!time) console.log('/usr/bin/time not found: peak RSS of the child is not measured (apt-get install -y time).');

  const variants: Variant[] = [
    { name: 'images-1gib-stored.zip', bytes: GiB, deflate: false },
    { name: 'images-1gib-deflated.zip', bytes: GiB, deflate: true },
    ...(options.large ? [{ name: 'images-4gib-stored.zip', bytes: 4 * GiB, deflate: false }] : []),
  ];
  console.log(`\nZip → TFRecord conversion (bundled CLI, child process) vs unzip -p; files in ${BENCH_DIR}`);
  const rows: string[][] = [['zip', 'size', 'ours s', 'ours MB/s', 'peak RSS MB', 'unzip -p s', 'unzip MB/s', 'ratio ours/unzip']];
  const rss = new Map<string, number | undefined>();
  const wall = new Map<string, number>();
  for (const v of variants) {
    const file = join(BENCH_DIR, v.name);
    const uncompressed = ensureZip(file, v);
    warmPageCache(file);
    const out = join(BENCH_DIR, 'out');
    rmSync(out, { recursive: true, force: true });
    const ours = measure(time, process.execPath, [BENCH_CLI, 'convert', file, '--out', out, '--json']);
    if (ours.exitCode !== 0) console.log(`conversion of ${v.name} failed (exit ${ours.exitCode}): ${ours.stdout.slice(0, 500)} ${ours.stderr.slice(0, 500)}`);
    else {
      const m = JSON.parse(ours.stdout) as { records: number; shards: unknown[] };
      console.log(`${v.name}: ${m.records} records in ${m.shards.length} shards`);
    }
    rmSync(out, { recursive: true, force: true });
    const base = unzip ? measure(undefined, '/bin/sh', ['-c', `"${unzip}" -p "${file}" > /dev/null`]) : undefined;
    rss.set(v.name, ours.maxRssMb);
    if (ours.exitCode === 0) wall.set(v.name, ours.wallSeconds);
    const mbps = (s: number) => (uncompressed / s / 1e6).toFixed(0);
    rows.push([
      v.name,
      `${(statSync(file).size / GiB).toFixed(2)} GiB`,
      ours.wallSeconds.toFixed(2),
      mbps(ours.wallSeconds),
      ours.maxRssMb?.toFixed(0) ?? 'n/a',
      base ? base.wallSeconds.toFixed(2) : 'n/a',
      base ? mbps(base.wallSeconds) : 'n/a',
      base ? (ours.wallSeconds / base.wallSeconds).toFixed(2) : 'n/a',
    ]);
  }
  printTable(rows);
  console.log('MB/s = 10^6 uncompressed bytes per second of wall time. Targets: ratio <= 1.0, peak RSS <= 200 MB.');
  if (options.large) {
    const small = rss.get('images-1gib-stored.zip');
    const big = rss.get('images-4gib-stored.zip');
    if (small && big) console.log(`RSS flatness: 1 GiB ${small.toFixed(0)} MB, 4 GiB ${big.toFixed(0)} MB, 4 GiB/1 GiB = ${(big / small).toFixed(2)} (target within 10%)`);
  } else {
    console.log('Run `npm run bench -- --large` for the 4 GiB RSS flatness check.');
  }
  return wall;
}

/** Generates the zip once (deterministically) and reuses it; returns the total uncompressed bytes. */
function ensureZip(file: string, v: Variant): number {
  const plan = entryPlan(v.bytes);
  const total = plan.reduce((n, e) => n + e.size, 0);
  if (existsSync(file)) return total;
  const started = Date.now();
  writeZipFile(file, (writer) => plan.forEach((e, i) => {
    const data = benchImage(e, i);
    writer.add(v.deflate ? { name: e.name, data, method: 8, rawData: deflateRawSync(data, { level: 1 }) } : { name: e.name, data });
  }));
  console.log(`generated ${file} (${plan.length} entries) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return total;
}

/** The bytes of the `i`th image of an entry plan, as the generated zips hold them. */
export function benchImage(e: PlannedBenchImage, i: number): Buffer {
  return e.png
    ? pngBytes({ width: e.width, height: e.height, payloadBytes: e.size - 57, seed: i })
    : jpegBytes({ width: e.width, height: e.height, payloadBytes: e.size - 55, seed: i });
}

export interface PlannedBenchImage {
  readonly name: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly png: boolean;
}

/** Class by class, like a zipped folder tree; sizes 32 KiB–1 MiB, one PNG in eight. */
export function entryPlan(bytes: number): PlannedBenchImage[] {
  const random = new SeededRandom(42);
  const sizes: number[] = [];
  let total = 0;
  while (total < bytes) {
    const size = 32 * 1024 + random.below(1024 * 1024 - 32 * 1024);
    sizes.push(size);
    total += size;
  }
  const perClass = Math.ceil(sizes.length / CLASSES.length);
  return sizes.map((size, i) => {
    const png = random.below(8) === 0;
    const cls = CLASSES[Math.floor(i / perClass)];
    return { name: `dataset/${cls}/${String(i).padStart(7, '0')}.${png ? 'png' : 'jpg'}`, size, width: 64 + random.below(4000), height: 64 + random.below(3000), png };
  });
}

function measure(time: string | undefined, command: string, args: string[]): Run {
  const argv = time ? [time, '-f', 'BENCH_TIME %e %M', command, ...args] : [command, ...args];
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const m = /BENCH_TIME ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  return { wallSeconds, maxRssMb: m ? (Number(m[2]) * 1024) / 1e6 : undefined, exitCode: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function warmPageCache(file: string): void {
  spawnSync('/bin/sh', ['-c', `cat "${file}" > /dev/null`]);
}

function which(cmd: string): string | undefined {
  const r = spawnSync('/bin/sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}
