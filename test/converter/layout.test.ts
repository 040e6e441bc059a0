import { classifyEntries } from '../../lambda/src/dataset/classify-entries';
import { DatasetError, DatasetProblem } from '../../lambda/src/dataset/dataset-errors';
import { RejectReason, SkipReason } from '../../lambda/src/dataset/entry-outcome';
import { classNameOf, labelsFileContent, resolveLayout, sortClassNames } from '../../lambda/src/dataset/layout';
import { isOsNoise } from '../../lambda/src/dataset/os-noise';
import { MemoryByteSource } from '../../lambda/src/io/memory-byte-source';
import { DEFAULT_ZIP_LIMITS } from '../../lambda/src/zip/zip-limits';
import { readZipIndex } from '../../lambda/src/zip/zip-index';
import { jpegBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';

describe('resolveLayout', () => {
  it.each([
    ['class folders', ['cat/1.jpg', 'dog/2.jpg', 'cat/3.jpg'], { labeled: true, wrapperFolder: null, classNames: ['cat', 'dog'] }],
    ['class folders in a wrapping folder', ['data/cat/1.jpg', 'data/dog/2.jpg'], { labeled: true, wrapperFolder: 'data', classNames: ['cat', 'dog'] }],
    ['a single class inside a wrapping folder', ['data/cat/1.jpg', 'data/cat/2.jpg'], { labeled: true, wrapperFolder: 'data', classNames: ['cat'] }],
    ['flat zip: unlabeled', ['1.jpg', '2.png'], { labeled: false, wrapperFolder: null, classNames: [] }],
    ['flat folder in a wrapping folder: unlabeled', ['photos/1.jpg', 'photos/2.jpg'], { labeled: false, wrapperFolder: 'photos', classNames: [] }],
    ['one folder alone is a wrapper, not a class', ['cat/1.jpg', 'cat/2.jpg'], { labeled: false, wrapperFolder: 'cat', classNames: [] }],
    ['the wrapper is stripped once only', ['a/b/cat/1.jpg', 'a/b/dog/1.jpg'], { labeled: true, wrapperFolder: 'a', classNames: ['b'] }],
    ['deeper paths belong to their first folder', ['cat/indoor/1.jpg', 'cat/2.jpg', 'dog/x/y/3.jpg'], { labeled: true, wrapperFolder: null, classNames: ['cat', 'dog'] }],
    ['classes sorted by UTF-8 bytes', ['b/1.jpg', 'B/1.jpg', 'ä/1.jpg', 'a/1.jpg', '10/1.jpg', '9/1.jpg'], { labeled: true, wrapperFolder: null, classNames: ['10', '9', 'B', 'a', 'b', 'ä'] }],
  ])('%s', (_label, names, expected) => {
    expect(resolveLayout(names)).toEqual(expected);
  });

  it.each([
    ['root images next to class folders', ['cat/1.jpg', 'stray.jpg'], DatasetProblem.MIXED_LAYOUT, /both at the top level \(1, e\.g\. "stray\.jpg"\) and in class folders \(1, e\.g\. "cat\/1\.jpg"\)/],
    ['root images next to class folders inside a wrapper', ['data/cat/1.jpg', 'data/stray.jpg'], DatasetProblem.MIXED_LAYOUT, /"data\/stray\.jpg"/],
  ])('rejects %s', (_label, names, problem, message) => {
    let error: unknown;
    try {
      resolveLayout(names);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).problem).toBe(problem);
    expect((error as DatasetError).message).toMatch(message);
  });

  it('maps image paths to classes past the wrapper', () => {
    const layout = resolveLayout(['data/cat/1.jpg', 'data/dog/x/2.jpg']);
    expect(classNameOf(layout, 'data/dog/x/2.jpg')).toBe('dog');
  });

  it('writes labels.txt with line i = label i', () => {
    expect(labelsFileContent(sortClassNames(['dog', 'cat', 'ant']))).toBe('ant\ncat\ndog\n');
  });
});

describe('isOsNoise', () => {
  it.each([
    ['__MACOSX/cat/._1.jpg', true],
    ['data/__MACOSX/x', true],
    ['cat/._1.jpg', true],
    ['cat/.DS_Store', true],
    ['.DS_Store', true],
    ['cat/Thumbs.db', true],
    ['cat/thumbs.db', true],
    ['cat/desktop.ini', true],
    ['cat/Desktop.ini', true],
    ['cat/1.jpg', false],
    ['cat/.hidden.jpg', false],
    ['MACOSX/1.jpg', false],
  ])('%s → %s', (name, noise) => {
    expect(isOsNoise(name)).toBe(noise);
  });
});

describe('classifyEntries', () => {
  const jpg = jpegBytes({ width: 2, height: 2 });
  const specs: [ZipEntrySpec, 'convertible' | SkipReason | RejectReason][] = [
    [{ name: 'cat/1.jpg', data: jpg }, 'convertible'],
    [{ name: 'cat/', data: undefined }, SkipReason.DIRECTORY],
    [{ name: '__MACOSX/cat/._1.jpg', data: Buffer.from('x') }, SkipReason.OS_METADATA],
    [{ name: 'cat/.DS_Store', data: Buffer.from('x') }, SkipReason.OS_METADATA],
    [{ name: 'cat/notes.txt', data: Buffer.from('x') }, RejectReason.NOT_AN_IMAGE],
    [{ name: 'cat/archive.zip', data: Buffer.from('PK') }, RejectReason.NOT_AN_IMAGE],
    [{ name: 'cat/noext', data: jpg }, RejectReason.NOT_AN_IMAGE],
    [{ name: 'cat/link.jpg', data: Buffer.from('../../etc/passwd'), unixMode: 0o120777 }, RejectReason.SYMLINK],
    [{ name: 'cat/secret.jpg', data: jpg, encrypted: true }, RejectReason.ENCRYPTED],
    [{ name: 'cat/bz.jpg', data: jpg, method: 12 }, RejectReason.UNSUPPORTED_COMPRESSION],
    [{ name: 'cat/empty.jpg', data: Buffer.alloc(0) }, RejectReason.EMPTY_FILE],
    [{ name: 'cat/huge.jpg', data: Buffer.alloc(2000, 1) }, RejectReason.ENTRY_TOO_LARGE],
    [{ name: 'cat/fat.jpg', data: jpg, method: 8, rawData: Buffer.alloc(3000), compressedSize: 3000 }, RejectReason.ENTRY_TOO_LARGE],
    [{ name: 'cat/bomb.jpg', data: Buffer.alloc(1000, 0), method: 8 }, RejectReason.COMPRESSION_RATIO],
    [{ name: 'cat/dup.jpg', data: jpg }, RejectReason.DUPLICATE_NAME],
    [{ name: 'cat/dup.jpg', data: jpg }, RejectReason.DUPLICATE_NAME],
    [{ name: '../cat/evil.jpg', data: jpg }, RejectReason.UNSAFE_NAME],
    [{ name: Buffer.concat([Buffer.from([0xb9, 0xb7]), Buffer.from('/1.jpg')]), data: jpg }, RejectReason.NAME_ENCODING],
    [{ name: 'cat/UPPER.JPEG', data: jpg }, 'convertible'],
  ];

  it('puts every entry in exactly one bucket, with the first applicable reason', async () => {
    const index = await readZipIndex(new MemoryByteSource(buildZip(specs.map(([s]) => s))));
    const result = classifyEntries(index.entries, { ...DEFAULT_ZIP_LIMITS, maxEntryUncompressedBytes: 1500, maxCompressionRatio: 20 });
    const outcome = new Map<number, string>();
    for (const e of result.convertible) outcome.set(e.index, 'convertible');
    for (const s of result.skipped) outcome.set(s.index, s.reason);
    for (const r of result.rejected) outcome.set(r.index, r.reason);
    expect(result.convertible.length + result.skipped.length + result.rejected.length).toBe(specs.length);
    expect(specs.map((_, i) => outcome.get(i))).toEqual(specs.map(([, expected]) => expected));
    expect(result.rejected.find((r) => r.reason === RejectReason.DUPLICATE_NAME)?.detail).toMatch(/appears 2 times.*also entries 15/);
  });

  it('lets image entries rejected for their data still define the classes', async () => {
    const index = await readZipIndex(new MemoryByteSource(buildZip([{ name: 'cat/1.jpg', data: jpg }, { name: 'dog/1.jpg', data: jpg, encrypted: true }])));
    const result = classifyEntries(index.entries, DEFAULT_ZIP_LIMITS);
    expect(result.layoutEntries.map((e) => e.name)).toEqual(['cat/1.jpg', 'dog/1.jpg']);
    expect(result.convertible.map((e) => e.name)).toEqual(['cat/1.jpg']);
  });
});
