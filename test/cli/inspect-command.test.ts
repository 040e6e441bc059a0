import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspectCommand } from '../../lambda/src/cli/inspect-command';
import { encodeExample } from '../../lambda/src/tfrecord/example';
import { frameRecord } from '../../lambda/src/tfrecord/record-framing';

const FIXTURES = join(__dirname, '../fixtures/tfrecord');
const TORCHDATA = join(FIXTURES, 'torchdata_example.tfrecord');
const CIFAR_TEST = join(FIXTURES, 'tfx_cifar10_test.tfrecord');

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await inspectCommand(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inspect-command-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('inspect <file>', () => {
  test('prints every record with its features, then the summary', async () => {
    const { code, stdout, stderr } = await run(TORCHDATA);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('#0  offset 0  108 bytes\n');
    expect(stdout).toContain('  "x_int"    int64[10]: 0, 10, 20, 30, 40, 50, 60, 70, 80, 90\n');
    expect(stdout).toContain('  "x_float"  float[10]: 30, 31, 32, 33, 34, 35, 36, 37, 38, 39\n');
    expect(stdout).toContain('  "x_byte"   bytes[1]: "test str"\n');
    expect(stdout).toContain('#3  offset 389  118 bytes\n');
    expect(stdout.endsWith('4 records, 523 bytes, all CRCs verified\n')).toBe(true);
  });

  test('shows binary values as length, hex preview and image size', async () => {
    const { code, stdout } = await run(CIFAR_TEST, '--limit', '1');
    expect(code).toBe(0);
    expect(stdout).toContain('  "image"  bytes[1]: <1992 bytes 89504e470d0a1a0a0000000d49484452… (png 32x32x3)>\n');
    expect(stdout).toContain('  "id"     bytes[1]: "test_09933"\n');
    expect(stdout).not.toContain('#1 ');
    expect(stdout.endsWith('128 records, 290499 bytes, all CRCs verified\n')).toBe(true);
  });

  test('long lists, long text and float32 values are shortened', async () => {
    const path = writeTemp(
      'long.tfrecord',
      Buffer.concat(
        frameRecord(
          encodeExample({
            n: { int64List: Array.from({ length: 12 }, (_, i) => BigInt(i)) },
            f: { floatList: [3.14, -1.5e-7] },
            t: { bytesList: [Buffer.from('y'.repeat(100))] },
            big: { int64List: [2n ** 62n, -1n] },
          }),
        ),
      ),
    );
    const { stdout } = await run(path);
    expect(stdout).toContain('int64[12]: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … (2 more)');
    expect(stdout).toContain('float[2]: 3.14, -1.5e-7');
    expect(stdout).toContain(`bytes[1]: "${'y'.repeat(80)}…"`);
    expect(stdout).toContain('int64[2]: 4611686018427387904, -1');
  });

  test('--json prints one JSON document', async () => {
    const { code, stdout } = await run('--json', TORCHDATA, '--limit=2');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.summary).toEqual({ records: 4, bytes: 523, crcsVerified: true, notExamples: 0 });
    expect(doc.records).toHaveLength(2);
    expect(doc.records[1]).toEqual({
      index: 1,
      offset: 124,
      bytes: 115,
      features: [
        { key: 'x_float', kind: 'float_list', values: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19] },
        { key: 'x_int', kind: 'int64_list', values: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190] },
        { key: 'x_byte', kind: 'bytes_list', values: [{ length: 8, utf8: 'test str' }] },
      ],
    });
  });

  test('--json describes images and keeps int64 beyond 2^53 exact', async () => {
    const png = readFileSync(CIFAR_TEST).subarray(2052 - 1992 + 12, 2052 + 12);
    const path = writeTemp('json.tfrecord', Buffer.concat(frameRecord(encodeExample({ img: { bytesList: [png] }, id: { int64List: [2n ** 60n + 1n] } }))));
    const doc = JSON.parse((await run(path, '--json')).stdout);
    expect(doc.records[0].features).toEqual([
      { key: 'id', kind: 'int64_list', values: ['1152921504606846977'] },
      { key: 'img', kind: 'bytes_list', values: [{ length: 1992, hexPreview: '89504e470d0a1a0a0000000d49484452', image: '(png 32x32x3)' }] },
    ]);
  });

  test('records that are not tf.train.Example are reported, and the file is still intact', async () => {
    const path = writeTemp('raw.tfrecord', Buffer.concat([...frameRecord(Buffer.from([0x0a, 0x05])), ...frameRecord(encodeExample({}))]));
    const { code, stdout } = await run(path);
    expect(code).toBe(0);
    expect(stdout).toContain('#0  offset 0  2 bytes\n  not a tf.train.Example: malformed tf.train.Example at byte 1: length 5 runs past the end');
    expect(stdout).toContain('2 records, 36 bytes, all CRCs verified, 1 not decodable as tf.train.Example\n');
  });
});

describe('corrupt files exit 1 naming the record and offset', () => {
  const original = readFileSync(TORCHDATA);

  test('a flipped data byte in record 2', async () => {
    const broken = Buffer.from(original);
    broken[255 + 12 + 40] ^= 0xff;
    const path = writeTemp('flipped.tfrecord', broken);
    const { code, stdout, stderr } = await run(path);
    expect(code).toBe(1);
    expect(stdout).toContain('#1  offset 124');
    expect(stdout).not.toContain('#2 ');
    expect(stderr).toContain('TFRecord record 2 at byte offset 255: data CRC mismatch');
  });

  test('a truncated file, in --json mode', async () => {
    const path = writeTemp('truncated.tfrecord', original.subarray(0, 300));
    const { code, stdout, stderr } = await run(path, '--json');
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.error).toMatchObject({ problem: 'truncated-data', recordIndex: 2, offset: 255 });
    expect(doc.recordsVerified).toBe(2);
    expect(doc.records).toHaveLength(2);
    expect(stderr).toContain('truncated data: input ends after 33 of 118 data bytes');
  });

  test('a missing file', async () => {
    const { code, stderr } = await run(join(dir, 'does-not-exist.tfrecord'));
    expect(code).toBe(1);
    expect(stderr).toContain('ENOENT');
  });
});

describe('usage errors exit 2', () => {
  test.each([
    [[], 'missing <file.tfrecord> argument'],
    [['--verbose', 'x.tfrecord'], 'unknown option "--verbose"'],
    [['x.tfrecord', '--limit'], '--limit needs a non-negative integer, got nothing'],
    [['x.tfrecord', '--limit', 'ten'], '--limit needs a non-negative integer, got "ten"'],
    [['x.tfrecord', '--limit=-1'], '--limit needs a non-negative integer, got "-1"'],
    [['a.tfrecord', 'b.tfrecord'], 'unexpected argument "b.tfrecord"'],
  ])('%j', async (argv, message) => {
    const { code, stdout, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`inspect: ${message}`);
    expect(stderr).toContain('usage: cdk-sagemaker-datasets inspect <file.tfrecord> [--json] [--limit N]');
  });

  test('--help prints usage and exits 0', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('usage: cdk-sagemaker-datasets inspect');
  });

  test('-- ends the options, so a file name may start with a dash', async () => {
    expect((await run('-dash.tfrecord')).code).toBe(2);
    const { code, stderr } = await run('--', '-dash.tfrecord');
    expect(code).toBe(1);
    expect(stderr).toContain("inspect: -dash.tfrecord: ENOENT: no such file or directory, open '-dash.tfrecord'");
  });
});
