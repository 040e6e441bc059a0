import { fromRandomAccessReader, type ZipFile } from 'yauzl';
import { ByteSourceError, type ByteSource } from '../io/byte-source';
import { ByteSourceReader } from './byte-source-reader';
import { ZipFormatError, ZipProblem } from './zip-errors';

/**
 * Opens a zip through yauzl: finds the end of central directory (and the zip64 records) and
 * returns a ZipFile positioned at the start of the central directory. Names are left undecoded
 * (decodeStrings: false) so that entry-name.ts can decode and judge each one without failing the
 * whole archive. Stored-entry sizes are checked by readZipIndex rather than yauzl
 * (validateEntrySizes), which would report an encrypted entry as a size mismatch.
 */
export async function openZip(source: ByteSource): Promise<{ zipfile: ZipFile; centralDirectoryOffset: number }> {
  const reader = new ByteSourceReader(source);
  const zipfile = await new Promise<ZipFile>((resolve, reject) => {
    fromRandomAccessReader(reader, source.size, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false }, (err, zip) =>
      err ? reject(toZipFormatError(source, err)) : resolve(zip),
    );
  });
  // yauzl keeps the central directory cursor here (typed as boolean in @types/yauzl by mistake).
  const centralDirectoryOffset = (zipfile as unknown as { readEntryCursor: number }).readEntryCursor;
  if (!Number.isSafeInteger(centralDirectoryOffset) || centralDirectoryOffset > source.size) {
    zipfile.close();
    throw new ZipFormatError(ZipProblem.MALFORMED, source.description, `the central directory offset ${centralDirectoryOffset} lies outside the file (${source.size} bytes); the zip is truncated or corrupt`);
  }
  return { zipfile, centralDirectoryOffset };
}

/** Maps yauzl's plain Error messages onto ZipProblem codes with an actionable message. */
export function toZipFormatError(source: ByteSource, err: unknown, offset?: number, entryName?: string): ZipFormatError {
  if (err instanceof ZipFormatError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const at = err instanceof ByteSourceError ? err.offset : offset;
  const make = (problem: ZipProblem, detail: string) => new ZipFormatError(problem, source.description, detail, at, entryName);
  if (source.size === 0) return make(ZipProblem.NOT_A_ZIP, 'the file is empty, not a zip');
  if (/End of central directory record signature not found/.test(message)) {
    return make(ZipProblem.NOT_A_ZIP, 'no end-of-central-directory record: not a zip file, or a zip truncated at the end');
  }
  if (err instanceof ByteSourceError || /unexpected EOF|past the end/.test(message)) {
    return make(ZipProblem.TRUNCATED, `the zip is truncated: its directory points past the end of the file (${message})`);
  }
  if (/multi-disk/.test(message)) return make(ZipProblem.MULTI_DISK, `split (multi-disk) zips are not supported: ${message}`);
  if (/strong encryption/.test(message)) return make(ZipProblem.ENCRYPTED_ARCHIVE, 'the zip uses PKWARE strong encryption, which is not supported; upload an unencrypted zip');
  return make(ZipProblem.MALFORMED, `the zip's central directory is malformed: ${message}`);
}
