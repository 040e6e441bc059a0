import { crc32 } from 'node:zlib';
import { MAX_ENTRY_NAME_BYTES, MAX_NAME_COMPONENT_BYTES } from './zip-limits';

/**
 * Entry-name decoding. The zip spec (APPNOTE 4.4.4, appendix D) says: UTF-8 when general-purpose
 * bit 11 is set, else IBM code page 437. Real tools deviate, so names without the flag are decoded
 * as follows, and a name we cannot decode with confidence is reported instead of being mojibaked
 * into a class name:
 *
 * 1. An Info-ZIP Unicode Path extra field (0x7075) whose CRC matches the raw name wins.
 * 2. Bit 11 set: strict UTF-8; invalid UTF-8 is an encoding problem.
 * 3. No flag, ASCII only: ASCII.
 * 4. No flag, valid multi-byte UTF-8 (macOS Archive Utility, Java, many Linux tools write UTF-8
 *    without the flag): UTF-8 — unless every non-ASCII byte pair is also a GB2312 character
 *    (both bytes 0xA1–0xFE), where UTF-8 and GBK readings are equally plausible: ambiguous, rejected.
 * 5. No flag, not UTF-8: CP437 when every non-ASCII byte is a CP437 letter (0x80–0xA7 accented
 *    letters, 0xE1 ß). Otherwise the bytes are some other legacy code page; if they pair up as GBK
 *    (lead 0x81–0xFE, trail 0x40–0xFE) the message says so. Box-drawing and math symbols never
 *    appear in real file names, so decoding those as CP437 would only produce mojibake.
 */

export enum NameIssueKind {
  /** The bytes cannot be decoded with confidence (invalid UTF-8, GBK, other legacy code pages). */
  ENCODING = 'name-encoding',
  /** Decoded fine but unsafe or malformed as a path (`..`, absolute, backslash, NUL, control chars). */
  UNSAFE = 'unsafe-name',
}

export interface NameIssue {
  readonly kind: NameIssueKind;
  readonly detail: string;
}

export interface DecodedName {
  /** NFC-normalised name, or a display form with `\xNN` escapes when it could not be decoded. */
  readonly name: string;
  readonly issue?: NameIssue;
}

const UNICODE_PATH_EXTRA_FIELD = 0x7075;
const UTF8_FLAG = 0x800;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const gbk = new TextDecoder('gbk');

// prettier-ignore
const CP437_HIGH = 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export function decodeEntryName(raw: Uint8Array, generalPurposeBitFlag: number, extraFields: readonly { id: number; data: Buffer }[]): DecodedName {
  const decoded = decodeBytes(raw, generalPurposeBitFlag, extraFields);
  if ('issue' in decoded) return { name: escapeBytes(raw), issue: { kind: NameIssueKind.ENCODING, detail: decoded.issue } };
  const name = decoded.text.normalize('NFC');
  const unsafe = unsafeNameReason(name);
  return unsafe === undefined ? { name } : { name, issue: { kind: NameIssueKind.UNSAFE, detail: unsafe } };
}

function decodeBytes(raw: Uint8Array, flags: number, extraFields: readonly { id: number; data: Buffer }[]): { text: string } | { issue: string } {
  for (const field of extraFields) {
    if (field.id !== UNICODE_PATH_EXTRA_FIELD || field.data.length < 6 || field.data[0] !== 1) continue;
    if (field.data.readUInt32LE(1) !== crc32(raw)) continue; // stale: the spec says ignore it
    const text = tryUtf8(field.data.subarray(5));
    return text === undefined ? { issue: 'the Info-ZIP Unicode Path extra field is not valid UTF-8' } : { text };
  }
  if (flags & UTF8_FLAG) {
    const text = tryUtf8(raw);
    return text === undefined ? { issue: 'the name is flagged as UTF-8 (general-purpose bit 11) but is not valid UTF-8' } : { text };
  }
  if (raw.every((b) => b < 0x80)) return { text: Buffer.from(raw).toString('latin1') };
  const text = tryUtf8(raw);
  if (text !== undefined) {
    if (isGb2312Shaped(raw)) {
      return { issue: `the name has no UTF-8 flag and reads both as UTF-8 ${JSON.stringify(text)} and as GBK ${JSON.stringify(gbk.decode(raw))}; re-create the zip with UTF-8 names (e.g. 7-Zip: -mcu=on)` };
    }
    return { text };
  }
  if (raw.every((b) => b < 0x80 || (b >= 0x80 && b <= 0xa7) || b === 0xe1)) {
    let s = '';
    for (const b of raw) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
    return { text: s };
  }
  if (isGbkShaped(raw)) {
    return { issue: `the name has no UTF-8 flag and is not UTF-8 or plausible CP437; its bytes look GBK-encoded (${JSON.stringify(gbk.decode(raw))}), as written by Chinese-locale Windows tools; re-create the zip with UTF-8 names (e.g. 7-Zip: -mcu=on)` };
  }
  return { issue: 'the name has no UTF-8 flag and is neither UTF-8 nor plausible CP437 (it would decode to box-drawing or math symbols); it is in some other legacy code page; re-create the zip with UTF-8 names' };
}

function tryUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function isGbkShaped(raw: Uint8Array): boolean {
  return pairsUp(raw, (lead) => lead >= 0x81 && lead <= 0xfe, (trail) => trail >= 0x40 && trail <= 0xfe && trail !== 0x7f);
}

function isGb2312Shaped(raw: Uint8Array): boolean {
  return pairsUp(raw, (lead) => lead >= 0xa1 && lead <= 0xf7, (trail) => trail >= 0xa1 && trail <= 0xfe);
}

function pairsUp(raw: Uint8Array, isLead: (b: number) => boolean, isTrail: (b: number) => boolean): boolean {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] < 0x80) continue;
    if (!isLead(raw[i]) || i + 1 >= raw.length || !isTrail(raw[i + 1])) return false;
    i++;
  }
  return true;
}

/** Printable ASCII as is, every other byte as `\xNN`: a safe display form of undecodable names. */
export function escapeBytes(raw: Uint8Array): string {
  let s = '';
  for (const b of raw) s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return s;
}

/** Why a decoded name is unsafe as a dataset path, or undefined when it is fine. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_ENTRY_NAME_BYTES) return `the name is longer than ${MAX_ENTRY_NAME_BYTES} bytes`;
  if (name.includes('\0')) return 'the name contains a NUL byte';
  // eslint-disable-next-line no-control-regex
  const control = /[\u0001-\u001f\u007f]/.exec(name);
  if (control) return `the name contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (name.includes('\\')) return "the name contains a backslash; zip entry names must use '/' as the separator";
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'the name is an absolute path';
  const segments = name.split('/');
  if (name.endsWith('/')) segments.pop();
  if (segments.includes('..')) return "the name contains a '..' path segment";
  if (segments.some((s) => s === '' || s === '.')) return "the name contains an empty or '.' path segment";
  const long = segments.find((s) => Buffer.byteLength(s, 'utf8') > MAX_NAME_COMPONENT_BYTES);
  if (long !== undefined) return `the path component ${JSON.stringify(long.slice(0, 40) + '…')} is ${Buffer.byteLength(long, 'utf8')} bytes, longer than the ${MAX_NAME_COMPONENT_BYTES} bytes a file system allows for one file or folder name`;
  return undefined;
}
