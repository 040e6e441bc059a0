import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32cCombine } from '../../lambda/src/io/crc32c-combine';
import { DirectoryShardSink } from '../../lambda/src/io/directory-shard-sink';
import { MemoryByteSource } from '../../lambda/src/io/memory-byte-source';
import { ChecksumAlgorithm } from '../../lambda/src/io/shard-sink';
import { crc32c } from '../../lambda/src/tfrecord/crc32c';
import { removeDir, tempDir } from './helpers';

describe('crc32cCombine', () => {
  it('gives the CRC-32C of a concatenation from the CRCs of its parts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const joined = new Uint8Array([...a, ...b]);
        expect(crc32cCombine(crc32c(a), crc32c(b), b.length)).toBe(crc32c(joined));
      }),
    );
  });
});

describe('DirectoryShardSink', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  it('publishes an output under its name only on finish, with size and CRC-32C of the file', async () => {
    const sink = await DirectoryShardSink.create(join(dir, 'out'), { flushBytes: 8 });
    const writer = await sink.open('a.tfrecord');
    const parts = [Buffer.from('hello '), Buffer.from('brave new '), Buffer.from('world')];
    await writer.write(parts[0]);
    await writer.write(parts[1], crc32c(parts[1]));
    await writer.write(parts[2]);
    expect(readdirSync(join(dir, 'out'))).toEqual([expect.stringMatching(/^\.a\.tfrecord\.[0-9a-f]+\.partial$/)]);
    const written = await writer.finish();
    expect(readdirSync(join(dir, 'out'))).toEqual(['a.tfrecord']);
    const content = readFileSync(join(dir, 'out', 'a.tfrecord'));
    expect(content.toString()).toBe('hello brave new world');
    expect(written).toEqual({ name: 'a.tfrecord', bytes: content.length, checksum: { algorithm: ChecksumAlgorithm.CRC32C, value: crc32c(content).toString(16).padStart(8, '0') } });
  });

  it('writes nested paths below a directory given with a trailing slash (as the EFS store gives its version folder)', async () => {
    const sink = await DirectoryShardSink.create(`${join(dir, 'version')}/`);
    for (const name of ['validation/validation-00000-of-00001.tfrecord', 'training/labels.txt', 'manifest.json']) {
      const writer = await sink.open(name);
      await writer.write(Buffer.from(name));
      await writer.finish();
    }
    expect(readFileSync(join(dir, 'version', 'validation', 'validation-00000-of-00001.tfrecord'), 'utf8')).toBe('validation/validation-00000-of-00001.tfrecord');
    expect(readFileSync(join(dir, 'version', 'training', 'labels.txt'), 'utf8')).toBe('training/labels.txt');
    expect(readdirSync(join(dir, 'version')).sort()).toEqual(['manifest.json', 'training', 'validation']);
    await sink.abort();
    expect(existsSync(join(dir, 'version'))).toBe(false);
  });

  it('removes published and partial outputs on abort', async () => {
    const sink = await DirectoryShardSink.create(join(dir, 'out'));
    const done = await sink.open('done.tfrecord');
    await done.write(Buffer.from('x'));
    await done.finish();
    const partial = await sink.open('partial.tfrecord');
    await partial.write(Buffer.from('y'));
    await sink.abort();
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('removes on abort only the folders it created, and only when empty', async () => {
    const sink = await DirectoryShardSink.create(join(dir, 'a', 'b', 'out'));
    await (await sink.open('x.tfrecord')).finish();
    await sink.abort();
    expect(existsSync(join(dir, 'a'))).toBe(false);
    expect(existsSync(dir)).toBe(true);

    const existing = await DirectoryShardSink.create(dir, { allowNonEmpty: true });
    await existing.abort();
    expect(existsSync(dir)).toBe(true);

    const shared = await DirectoryShardSink.create(join(dir, 'p', 'out'));
    writeFileSync(join(dir, 'p', 'someone-else.txt'), 'x');
    await shared.abort();
    expect(readdirSync(join(dir, 'p'))).toEqual(['someone-else.txt']);
  });

  it('refuses a non-empty directory and unsafe output names', async () => {
    writeFileSync(join(dir, 'old.txt'), 'x');
    await expect(DirectoryShardSink.create(dir)).rejects.toThrow(/is not empty/);
    const sink = await DirectoryShardSink.create(join(dir, 'new'));
    await expect(sink.open('../escape')).rejects.toThrow(/invalid output name/);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
  });
});

describe('MemoryByteSource', () => {
  it('reads exact ranges and refuses ranges outside the source', async () => {
    const source = new MemoryByteSource(Buffer.from('0123456789'), 'ten bytes');
    expect((await source.read(2, 3)).toString()).toBe('234');
    await expect(source.read(8, 3)).rejects.toThrow(/ten bytes: cannot read 3 bytes at offset 8: range ends past the end/);
    await expect(source.read(-1, 1)).rejects.toThrow(/non-negative/);
  });
});
