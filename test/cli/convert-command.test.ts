import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { convertCommand } from '../../lambda/src/cli/convert-command';
import { main } from '../../lambda/src/cli/main';
import { parseByteSize } from '../../lambda/src/cli/byte-size';
import { renderProgress } from '../../lambda/src/cli/progress-bar';
import { removeDir, tempDir } from '../converter/helpers';
import { jpegBytes } from '../support/images';
import { buildZip } from '../support/zip-builder';

function capture(tty = false) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), tty ? { isTTY: true, columns: 120 } : {});
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  return { io: { stdout, stderr }, stdout: () => Buffer.concat(out).toString(), stderr: () => Buffer.concat(err).toString() };
}

const images = Array.from({ length: 12 }, (_, i) => ({ name: `pets/${i % 2 ? 'cat' : 'dog'}/${i}.jpg`, data: jpegBytes({ width: 4, height: 3, payloadBytes: 1000, seed: i }) }));

describe('cdk-sagemaker-datasets convert', () => {
  let dir: string;
  let goodZip: string;
  let badZip: string;
  beforeEach(() => {
    dir = tempDir('cli-test-');
    goodZip = join(dir, 'good.zip');
    badZip = join(dir, 'bad.zip');
    writeFileSync(goodZip, buildZip(images));
    writeFileSync(badZip, buildZip([...images, { name: 'pets/cat/broken.jpg', data: Buffer.from('broken') }, { name: 'pets/cat/x.txt', data: Buffer.from('x') }]));
  });
  afterEach(() => removeDir(dir));

  it('converts and prints exactly one JSON document, the manifest, with --json (exit 0)', async () => {
    const c = capture();
    const code = await convertCommand([goodZip, '--out', join(dir, 'out'), '--json', '--shard-size', '4KiB', '--channel', 'train', '--seed', '5'], c.io);
    expect(code).toBe(0);
    const manifest = JSON.parse(c.stdout());
    expect(manifest).toMatchObject({ records: 12, labeled: true, classNames: ['cat', 'dog'], options: { channel: 'train', targetShardBytes: 4096, seed: 5 } });
    expect(manifest.source).toEqual({ kind: 'file', path: goodZip, size: expect.any(Number) });
    expect(manifest.shards.length).toBeGreaterThan(1);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['labels.txt', 'manifest.json', ...manifest.shards.map((s: { name: string }) => s.name)].sort());
    expect(c.stderr()).toBe('');
  });

  it('prints a human summary without --json and no progress bar when stderr is not a terminal', async () => {
    const c = capture();
    expect(await convertCommand([goodZip, '--out', join(dir, 'out')], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/^converted 12 images into 1 shard \(.*labeled, 2 classes\) in .*out\nentries: 12 total, 12 converted, 0 skipped, 0 rejected/);
    expect(c.stderr()).toBe('');
  });

  it('draws a progress bar on a terminal', async () => {
    const c = capture(true);
    expect(await convertCommand([goodZip, '--out', join(dir, 'out')], c.io)).toBe(0);
    expect(c.stderr()).toMatch(/\r\[#+\] 100% {2}12\/12 entries .*\/s {2}ETA/);
    expect(c.stderr().endsWith('\n')).toBe(true);
  });

  it('exits 1 on rejected input and lists every rejected entry in the JSON error document', async () => {
    const c = capture();
    const out = join(dir, 'out');
    expect(await convertCommand([badZip, '--out', out, '--json'], c.io)).toBe(1);
    const doc = JSON.parse(c.stdout());
    expect(doc.error).toEqual({ code: 'rejected-entries', message: expect.stringMatching(/2 of 14 entries were rejected/) });
    expect(doc.rejected.map((r: { name: string; reason: string }) => [r.name, r.reason])).toEqual([
      ['pets/cat/broken.jpg', 'broken-image'],
      ['pets/cat/x.txt', 'not-an-image'],
    ]);
    expect(existsSync(out)).toBe(false); // the --out folder it created is removed again
  });

  it('--kind files puts each file under --out at its zip path, byte for byte, and summarizes', async () => {
    const zip = join(dir, 'ckpt.zip');
    const weights = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff));
    writeFileSync(zip, buildZip([{ name: 'ckpt/step-1/weights.bin', data: weights, method: 8 }, { name: 'config.yaml', data: Buffer.from('lr: 0.1\n') }, { name: 'EMPTY', data: Buffer.alloc(0) }]));
    const out = join(dir, 'out');
    const c = capture();
    expect(await convertCommand([zip, '--kind', 'files', '--out', out], c.io)).toBe(0);
    expect(readFileSync(join(out, 'ckpt/step-1/weights.bin')).equals(weights)).toBe(true);
    expect(readFileSync(join(out, 'config.yaml'), 'utf8')).toBe('lr: 0.1\n');
    expect(readFileSync(join(out, 'EMPTY')).length).toBe(0);
    expect(c.stdout()).toMatch(/^kept 3 files \(.*\) in .*out\nentries: 3 total, 3 kept, 0 skipped, 0 rejected/);
    const json = capture();
    expect(await convertCommand([zip, '--kind', 'files', '--out', join(dir, 'out2'), '--json'], json.io)).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ kind: 'files', files: [{ path: 'ckpt/step-1/weights.bin', bytes: 5000 }, { path: 'config.yaml' }, { path: 'EMPTY', bytes: 0 }] });
  });

  it('--kind tfrecord keeps a TensorFlow-written file; a corrupted record exits 1 naming the file and the byte offset', async () => {
    const fixture = readFileSync(join(__dirname, '..', 'fixtures', 'tfrecord', 'tfx_cifar10_test.tfrecord'));
    const good = join(dir, 'test.tfrecord');
    writeFileSync(good, fixture);
    const c = capture();
    expect(await convertCommand([good, '--kind', 'tfrecord', '--channel', 'test', '--out', join(dir, 'out')], c.io)).toBe(0);
    expect(readFileSync(join(dir, 'out', 'test.tfrecord')).equals(fixture)).toBe(true);
    expect(c.stdout()).toMatch(/^kept \d+ records in 1 TFRecord file, every CRC verified/);

    const broken = Buffer.from(fixture);
    broken[1000] ^= 0xff;
    const zip = join(dir, 'records.zip');
    writeFileSync(zip, buildZip([{ name: 'shards/a.tfrecord', data: broken }]));
    const out = join(dir, 'bad-out');
    const text = capture();
    expect(await convertCommand([zip, '--kind', 'tfrecord', '--out', out], text.io)).toBe(1);
    expect(text.stderr()).toMatch(/^error: .*"shards\/a\.tfrecord": TFRecord record \d+ at byte offset \d+: data CRC mismatch/);
    const json = capture();
    expect(await convertCommand([zip, '--kind', 'tfrecord', '--out', out, '--json'], json.io)).toBe(1);
    const doc = JSON.parse(json.stdout());
    expect(doc.rejected).toEqual([expect.objectContaining({ name: 'shards/a.tfrecord', reason: 'corrupt-record', detail: expect.stringMatching(/at byte offset \d+/) })]);
    expect(existsSync(out)).toBe(false);
  });

  it('--validation-fraction writes training/ and validation/ under --out, summarizes both parts, and gives the same split every run', async () => {
    const c = capture();
    const out = join(dir, 'split');
    expect(await convertCommand([goodZip, '--out', out, '--validation-fraction', '0.25'], c.io)).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['labels.txt', 'manifest.json', 'training', 'validation']);
    expect(readdirSync(join(out, 'validation')).sort()).toEqual(['labels.txt', 'validation-00000-of-00001.tfrecord']);
    // 6 cats and 6 dogs: round(6 × 0.25) = 1.5 → 1 each (ties go to training).
    expect(c.stdout()).toMatch(/converted 12 images into 2 shards .*\nsplit 0\.25 by class: 10 training images \(1 shard in training\/\), 2 validation images \(1 shard in validation\/\)\n/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.split).toMatchObject({ fraction: 0.25, seed: 0, validation: { records: 2, classes: [{ name: 'cat', records: 1 }, { name: 'dog', records: 1 }] } });

    const again = join(dir, 'again');
    expect(await convertCommand([goodZip, '--out', again, '--validation-fraction', '0.25', '--json'], capture().io)).toBe(0);
    const name = 'validation/validation-00000-of-00001.tfrecord';
    expect(readFileSync(join(again, name)).equals(readFileSync(join(out, name)))).toBe(true);
  });

  it('exits 0 when the rejected fraction is allowed', async () => {
    const c = capture();
    expect(await convertCommand([badZip, '--out', join(dir, 'out'), '--json', '--max-rejected-fraction', '0.2'], c.io)).toBe(0);
    expect(JSON.parse(c.stdout()).entries).toEqual({ total: 14, converted: 12, skipped: 0, rejected: 2 });
  });

  it('exits 1 with the problem code for a file that is not a zip, and reports it on stderr without --json', async () => {
    const notZip = join(dir, 'notes.zip');
    writeFileSync(notZip, 'just text');
    const c = capture();
    expect(await convertCommand([notZip, '--out', join(dir, 'out')], c.io)).toBe(1);
    expect(c.stdout()).toBe('');
    expect(c.stderr()).toMatch(/^error: file .*notes\.zip: no end-of-central-directory record/);
  });

  it.each([
    ['no arguments', [], /missing <input>/],
    ['an unknown --kind', ['ZIP', '--out', 'OUT', '--kind', 'parquet'], /--kind must be one of images, files, tfrecord \(got "parquet"\)/],
    ['no --out', ['ZIP'], /missing --out/],
    ['an unknown option', ['ZIP', '--out', 'OUT', '--frobnicate'], /Unknown option '--frobnicate'/],
    ['two zips', ['ZIP', 'ZIP', '--out', 'OUT'], /expected one <input>, got 2/],
    ['a bad --shard-size', ['ZIP', '--out', 'OUT', '--shard-size', 'lots'], /--shard-size "lots" is not a size/],
    ['a bad --seed', ['ZIP', '--out', 'OUT', '--seed', '-3'], /--seed/],
    ['a bad --channel', ['ZIP', '--out', 'OUT', '--channel', 'no/slash'], /invalid option: channel/],
    ['a zero --validation-fraction', ['ZIP', '--out', 'OUT', '--validation-fraction', '0'], /--validation-fraction must be a number greater than 0 and at most 0\.5 \(e\.g\. 0\.1 for 10 %\) \(got "0"\)/],
    ['a --validation-fraction above 0.5', ['ZIP', '--out', 'OUT', '--validation-fraction', '0.7'], /--validation-fraction must be .* \(got "0\.7"\)/],
    ['a --validation-fraction that is no number', ['ZIP', '--out', 'OUT', '--validation-fraction', 'ten percent'], /--validation-fraction must be/],
    ['--validation-fraction with --kind files', ['ZIP', '--out', 'OUT', '--kind', 'files', '--validation-fraction', '0.1'], /--validation-fraction splits images by class; --kind files keeps files as uploaded and cannot be split/],
    ['a missing zip file', ['MISSING', '--out', 'OUT'], /cannot open .*missing\.zip/],
    ['a non-empty output directory', ['ZIP', '--out', 'FULL'], /is not empty/],
  ])('exits 2 on usage errors: %s', async (_label, args, message) => {
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'x'), 'x');
    const argv = (args as string[]).map((a) => ({ ZIP: goodZip, OUT: join(dir, 'out'), MISSING: join(dir, 'missing.zip'), FULL: join(dir, 'full') })[a] ?? a);
    const c = capture();
    expect(await convertCommand(argv, c.io)).toBe(2);
    expect(c.stderr()).toMatch(message);
    const json = capture();
    expect(await convertCommand([...argv, '--json'], json.io)).toBe(2);
    expect(JSON.parse(json.stdout()).error.code).toMatch(/usage|invalid-options/);
  });

  it('prints help with --help (exit 0)', async () => {
    const c = capture();
    expect(await convertCommand(['--help'], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/^usage: cdk-sagemaker-datasets convert <input> --out <dir> \[--kind images\|files\|tfrecord\]/);
  });
});

describe('cdk-sagemaker-datasets (main)', () => {
  it('dispatches inspect to the inspect command, which verifies a converted shard', async () => {
    const dir = tempDir('cli-test-');
    try {
      writeFileSync(join(dir, 'good.zip'), buildZip(images));
      expect(await main(['convert', join(dir, 'good.zip'), '--out', join(dir, 'out')], capture().io)).toBe(0);
      const c = capture();
      expect(await main(['inspect', join(dir, 'out', 'training-00000-of-00001.tfrecord')], c.io)).toBe(0);
      expect(c.stdout()).toMatch(/12 records/);
    } finally {
      removeDir(dir);
    }
  });

  it.each([
    [['--help'], 0, /commands:/],
    [[], 2, /commands:/],
    [['--version'], 0, /^\d+\.\d+\.\d+\n$/],
  ])('%j exits %i', async (argv, code, output) => {
    const c = capture();
    expect(await main(argv as string[], c.io)).toBe(code);
    expect(c.stdout()).toMatch(output);
  });

  it('exits 2 on an unknown command', async () => {
    const c = capture();
    expect(await main(['explode'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/unknown command "explode"/);
  });
});

describe('helpers', () => {
  it.each([
    ['128MiB', 134217728],
    ['500MB', 500_000_000],
    ['1.5G', 1610612736],
    ['4096', 4096],
    ['2 kib', 2048],
    ['0', undefined],
    ['12XB', undefined],
    ['-5MB', undefined],
  ])('parseByteSize(%j) = %p', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it('renders entries, bytes, rate and ETA', () => {
    expect(renderProgress({ entriesDone: 50, entriesTotal: 200, bytesDone: 256 * 1024 ** 2, bytesTotal: 1024 ** 3 }, 2, 120)).toBe(
      '[##########------------------------------]  25%  50/200 entries  256.0 MiB/1.0 GiB  128.0 MiB/s  ETA 0:06',
    );
  });
});
