/**
 * Output names are paths relative to a version folder: `training-00000-of-00001.tfrecord`, or a
 * kept file's zip path such as `checkpoints/step-100/model.ckpt` (kind `files`). The zip reader has
 * already refused unsafe entry names; sinks check again, since a path that escapes the folder must
 * never be written whatever produced it.
 */
export function checkOutputPath(name: string): void {
  const segments = name.split('/');
  const bad =
    name.length === 0 ||
    Buffer.byteLength(name, 'utf8') > 1024 ||
    name.includes('\0') ||
    name.includes('\\') ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new Error(`invalid output name ${JSON.stringify(name)}: use a relative path of non-empty segments without . or .. (no NUL or backslash)`);
}
