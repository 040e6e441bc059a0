import { decodeEntryName, escapeBytes, NameIssueKind, unsafeNameReason } from '../../lambda/src/zip/entry-name';
import { unicodePathExtra } from '../support/zip-builder';

const UTF8_FLAG = 0x800;
const bytes = (...b: number[]) => Buffer.from(b);

describe('decodeEntryName', () => {
  it.each([
    ['ASCII without flag', Buffer.from('cat/001.jpg'), 0, 'cat/001.jpg'],
    ['UTF-8 with flag', Buffer.from('chat/été.jpg'), UTF8_FLAG, 'chat/été.jpg'],
    ['UTF-8 with flag, NFD normalised to NFC', Buffer.from('cafe\u0301/1.jpg'), UTF8_FLAG, 'café/1.jpg'],
    ['UTF-8 without flag (macOS Archive Utility, NFD)', Buffer.from('cafe\u0301/1.jpg'), 0, 'café/1.jpg'],
    ['UTF-8 without flag, 3-byte sequences', Buffer.from('猫/1.jpg'), 0, '猫/1.jpg'],
    ['CP437 without flag: café (0x82)', Buffer.concat([Buffer.from('caf'), bytes(0x82), Buffer.from('/1.jpg')]), 0, 'café/1.jpg'],
    ['CP437 without flag: naïve (0x8B) though GBK-shaped', Buffer.concat([Buffer.from('na'), bytes(0x8b), Buffer.from('ve/1.jpg')]), 0, 'naïve/1.jpg'],
    ['CP437 without flag: Straße (0xE1)', Buffer.concat([Buffer.from('Stra'), bytes(0xe1), Buffer.from('e/1.jpg')]), 0, 'Straße/1.jpg'],
  ])('%s', (_label, raw, flags, expected) => {
    expect(decodeEntryName(raw, flags, [])).toEqual({ name: expected });
  });

  it.each([
    ['invalid UTF-8 despite the flag', bytes(0x63, 0xc3, 0x28, 0x2f, 0x61), UTF8_FLAG, /flagged as UTF-8.*not valid UTF-8/],
    ['GBK 狗 (B9 B7) without flag', Buffer.concat([bytes(0xb9, 0xb7), Buffer.from('/1.jpg')]), 0, /look GBK-encoded \("狗\/1\.jpg"\)/],
    ['GBK 中文 without flag', Buffer.concat([bytes(0xd6, 0xd0, 0xce, 0xc4), Buffer.from('/1.jpg')]), 0, /GBK-encoded \("中文\/1\.jpg"\)/],
    ['ambiguous: valid UTF-8 (è) and GB2312 (猫)', Buffer.concat([bytes(0xc3, 0xa8), Buffer.from('/1.jpg')]), 0, /reads both as UTF-8 "è\/1\.jpg" and as GBK "猫\/1\.jpg"/],
    ['CP866 Cyrillic (кот = AA AE E2) without flag', Buffer.concat([bytes(0xaa, 0xae, 0xe2), Buffer.from('/1.jpg')]), 0, /neither UTF-8 nor plausible CP437/],
  ])('rejects %s with a message', (_label, raw, flags, message) => {
    const decoded = decodeEntryName(raw, flags, []);
    expect(decoded.issue?.kind).toBe(NameIssueKind.ENCODING);
    expect(decoded.issue?.detail).toMatch(message);
    expect(decoded.name).toBe(escapeBytes(raw));
  });

  it('prefers an Info-ZIP Unicode Path extra field whose CRC matches the raw name', () => {
    const raw = Buffer.concat([bytes(0xb9, 0xb7), Buffer.from('/1.jpg')]);
    expect(decodeEntryName(raw, 0, [unicodePathExtra(raw, '狗/1.jpg') as { id: number; data: Buffer }])).toEqual({ name: '狗/1.jpg' });
  });

  it('ignores a stale Unicode Path extra field (CRC of another name)', () => {
    const raw = Buffer.from('cat/1.jpg');
    const stale = unicodePathExtra(Buffer.from('other'), 'dog/1.jpg') as { id: number; data: Buffer };
    expect(decodeEntryName(raw, 0, [stale])).toEqual({ name: 'cat/1.jpg' });
  });

  it('escapes undecodable bytes for display', () => {
    expect(escapeBytes(bytes(0x61, 0xb9, 0x5c, 0x00))).toBe('a\\xB9\\x5C\\x00');
  });
});

describe('unsafeNameReason', () => {
  it.each([
    ['../etc/passwd', /'\.\.' path segment/],
    ['cat/../../x.jpg', /'\.\.' path segment/],
    ['/etc/x.jpg', /absolute/],
    ['C:/x.jpg', /absolute/],
    ['cat\\1.jpg', /backslash/],
    ['cat/\u00001.jpg', /NUL/],
    ['cat/\u00071.jpg', /control character U\+0007/],
    ['cat//1.jpg', /empty or '\.'/],
    ['./cat/1.jpg', /empty or '\.'/],
    ['', /empty/],
    [`${'a'.repeat(1025)}.jpg`, /longer than 1024/],
    [`cat/${'a'.repeat(252)}.jpg`, /path component "a{40}…" is 256 bytes, longer than the 255 bytes a file system allows/],
    [`${'é'.repeat(128)}/1.jpg`, /is 256 bytes, longer than the 255/],
  ])('%j is unsafe', (name, reason) => {
    expect(unsafeNameReason(name)).toMatch(reason);
  });

  it.each(['cat/1.jpg', 'cat/', 'a/b/c/d.png', 'dots..in..name.jpg', '.hidden/x.jpg', `${'b'.repeat(255)}/${'c'.repeat(251)}.jpg`])('%j is fine', (name) => {
    expect(unsafeNameReason(name)).toBeUndefined();
  });

  it('reports unsafe names decoded from bytes as UNSAFE, not ENCODING', () => {
    expect(decodeEntryName(Buffer.from('../x.jpg'), 0, []).issue?.kind).toBe(NameIssueKind.UNSAFE);
  });
});
