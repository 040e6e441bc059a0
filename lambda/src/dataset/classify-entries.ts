import { imageFormatForExtension } from '../images/image-header';
import { NameIssueKind } from '../zip/entry-name';
import { CompressionMethod, compressionMethodName, type ZipEntry } from '../zip/zip-entry';
import type { ZipLimits } from '../zip/zip-limits';
import type { DatasetKind } from './options';
import { MANIFEST_FILE } from './manifest';
import { RejectReason, SkipReason, type RejectedEntry, type SkippedEntry } from './entry-outcome';
import { isOsNoise } from './os-noise';

export interface ClassifiedEntries {
  /**
   * Files with a safe, unique name that the kind accepts (images: an image extension; tfrecord: a
   * .tfrecord extension; files: any name): for images they decide the layout and the classes.
   */
  readonly layoutEntries: readonly ZipEntry[];
  /** The layout entries that pass every check possible without reading data. */
  readonly convertible: readonly ZipEntry[];
  readonly skipped: readonly SkippedEntry[];
  readonly rejected: readonly RejectedEntry[];
}

/**
 * Sorts every central-directory entry into exactly one of: skipped, rejected, convertible.
 * Checks run in this order and the first that applies decides: name encoding, unsafe name,
 * directory (skip), OS metadata (skip), duplicate name, symlink, the kind's name rule (images: an
 * image extension; tfrecord: a .tfrecord extension; files and tfrecord: no reserved top-level name,
 * no file that is also another file's folder), encryption, compression method, empty (images
 * only), too large, compression ratio. Every kind gets the same hostile-zip checks.
 */
export function classifyEntries(entries: readonly ZipEntry[], limits: ZipLimits, kind: DatasetKind = 'images'): ClassifiedEntries {
  const skipped: SkippedEntry[] = [];
  const rejected: RejectedEntry[] = [];
  const files: ZipEntry[] = [];
  const reject = (e: ZipEntry, reason: RejectReason, detail: string) => rejected.push({ index: e.index, name: e.name, reason, detail });

  for (const e of entries) {
    if (e.nameIssue) {
      reject(e, e.nameIssue.kind === NameIssueKind.ENCODING ? RejectReason.NAME_ENCODING : RejectReason.UNSAFE_NAME, e.nameIssue.detail);
    } else if (e.isDirectory) {
      skipped.push({ index: e.index, name: e.name, reason: SkipReason.DIRECTORY });
    } else if (isOsNoise(e.name)) {
      skipped.push({ index: e.index, name: e.name, reason: SkipReason.OS_METADATA });
    } else {
      files.push(e);
    }
  }

  const indexesByName = new Map<string, number[]>();
  for (const e of files) {
    const list = indexesByName.get(e.name);
    if (list) list.push(e.index);
    else indexesByName.set(e.name, [e.index]);
  }

  const nameRule = NAME_RULES[kind];
  const folders = kind === 'images' ? new Set<string>() : folderPaths(files);
  const layoutEntries: ZipEntry[] = [];
  const convertible: ZipEntry[] = [];
  for (const e of files) {
    const copies = indexesByName.get(e.name)!;
    if (copies.length > 1) {
      const others = copies.filter((i) => i !== e.index);
      const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? ` and ${others.length - 5} more` : '');
      reject(e, RejectReason.DUPLICATE_NAME, `the name appears ${copies.length} times in the zip (also entries ${shown}); no copy is converted`);
      continue;
    }
    if (e.isSymlink) {
      reject(e, RejectReason.SYMLINK, 'the entry is a symbolic link; links are never followed');
      continue;
    }
    const nameProblem = nameRule(e.name) ?? (folders.has(e.name) ? PATH_CONFLICT : undefined);
    if (nameProblem) {
      reject(e, nameProblem[0], nameProblem[1]);
      continue;
    }
    layoutEntries.push(e);
    const problem = dataCheck(e, limits, kind === 'images');
    if (problem) reject(e, problem[0], problem[1]);
    else convertible.push(e);
  }
  rejected.sort((a, b) => a.index - b.index);
  return { layoutEntries, convertible, skipped, rejected };
}

type Problem = [RejectReason, string];

const PATH_CONFLICT: Problem = [RejectReason.PATH_CONFLICT, 'the path is also a folder of other files in the zip, and a file system cannot hold both'];

const reservedName = (name: string): Problem | undefined =>
  name === MANIFEST_FILE ? [RejectReason.RESERVED_NAME, `${MANIFEST_FILE} at the top level is the converter's own record of the version; move or rename the file`] : undefined;

/** Which file names each kind accepts. */
const NAME_RULES: Readonly<Record<DatasetKind, (name: string) => Problem | undefined>> = {
  images: (name) => imageFormatForExtension(name) === undefined
    ? [RejectReason.NOT_AN_IMAGE, 'not an image file name (accepted extensions: .jpg .jpeg .png .gif .bmp)']
    : undefined,
  files: reservedName,
  tfrecord: (name) => /\.tfrecords?$/i.test(name)
    ? reservedName(name)
    : [RejectReason.NOT_A_TFRECORD, 'not a TFRecord file name (accepted extensions: .tfrecord .tfrecords)'],
};

/** Every folder that holds a file: `a/b/c` gives `a` and `a/b`. */
function folderPaths(files: readonly ZipEntry[]): Set<string> {
  const folders = new Set<string>();
  for (const e of files) {
    for (let slash = e.name.indexOf('/'); slash >= 0; slash = e.name.indexOf('/', slash + 1)) folders.add(e.name.slice(0, slash));
  }
  return folders;
}

function dataCheck(e: ZipEntry, limits: ZipLimits, rejectEmpty: boolean): Problem | undefined {
  if (e.isEncrypted) return [RejectReason.ENCRYPTED, 'the entry is encrypted; upload a zip without a password'];
  if (e.compressionMethod !== CompressionMethod.STORED && e.compressionMethod !== CompressionMethod.DEFLATED) {
    return [RejectReason.UNSUPPORTED_COMPRESSION, `compression ${compressionMethodName(e.compressionMethod)} is not supported (only stored and deflate)`];
  }
  if (rejectEmpty && e.uncompressedSize === 0) return [RejectReason.EMPTY_FILE, 'the file is empty (0 bytes)'];
  if (e.uncompressedSize > limits.maxEntryUncompressedBytes) {
    return [RejectReason.ENTRY_TOO_LARGE, `the entry is ${e.uncompressedSize} bytes uncompressed, more than the limit of ${limits.maxEntryUncompressedBytes}`];
  }
  // The compressed bytes are held in memory while inflating; real deflate output is at most a
  // fraction of a percent larger than its input.
  const maxCompressed = Math.ceil(limits.maxEntryUncompressedBytes * 1.01) + 1024;
  if (e.compressedSize > maxCompressed) {
    return [RejectReason.ENTRY_TOO_LARGE, `the entry is ${e.compressedSize} bytes compressed, more than the limit of ${maxCompressed}`];
  }
  if (e.compressionMethod === CompressionMethod.DEFLATED) {
    const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
    if (ratio > limits.maxCompressionRatio) {
      return [RejectReason.COMPRESSION_RATIO, `compression ratio ${ratio.toFixed(1)}:1 (${e.compressedSize} → ${e.uncompressedSize} bytes) exceeds the limit of ${limits.maxCompressionRatio}:1`];
    }
  }
  return undefined;
}
