import { DatasetError, DatasetProblem } from './dataset-errors';

/**
 * How image paths map to classes:
 * - One wrapping folder shared by every image (the user zipped a folder) is stripped, once.
 * - Then, images all inside folders: labeled; the first folder is the class (`cat/001.jpg` and
 *   `cat/indoor/002.jpg` are both `cat`, as Keras' image_dataset_from_directory does).
 * - Images all at the root: an unlabeled dataset.
 * - Both: rejected, since root images would have no class.
 * Consequence: `cat/1.jpg, cat/2.jpg` alone is one wrapping folder, i.e. unlabeled; a single-class
 * labeled dataset needs the wrapper, `data/cat/1.jpg`.
 */
export interface DatasetLayout {
  readonly labeled: boolean;
  /** The stripped wrapping folder, or null. */
  readonly wrapperFolder: string | null;
  /** Sorted by UTF-8 bytes of the (NFC) names; a class's label is its index here. */
  readonly classNames: readonly string[];
}

export function resolveLayout(imageNames: readonly string[]): DatasetLayout {
  if (imageNames.length === 0) throw new RangeError('resolveLayout needs at least one image name');
  const first = imageNames[0].split('/')[0];
  const wrapped = imageNames.every((n) => n.includes('/') && n.split('/')[0] === first);
  const wrapperFolder = wrapped ? first : null;
  const relative = wrapped ? imageNames.map((n) => n.slice(first.length + 1)) : imageNames;

  const atRoot = relative.filter((n) => !n.includes('/'));
  const inFolders = relative.filter((n) => n.includes('/'));
  if (atRoot.length > 0 && inFolders.length > 0) {
    const prefix = wrapperFolder ? `${wrapperFolder}/` : '';
    throw new DatasetError(
      DatasetProblem.MIXED_LAYOUT,
      `images are both at the top level (${atRoot.length}, e.g. ${JSON.stringify(prefix + atRoot[0])}) and in class folders (${inFolders.length}, e.g. ${JSON.stringify(prefix + inFolders[0])}); ` +
        'put every image in a class folder (labeled dataset) or all at the top level (unlabeled dataset)',
    );
  }
  if (atRoot.length > 0) return { labeled: false, wrapperFolder, classNames: [] };
  const classes = new Set(inFolders.map((n) => n.split('/')[0]));
  return { labeled: true, wrapperFolder, classNames: sortClassNames([...classes]) };
}

/** The class of an image path under a labeled layout. */
export function classNameOf(layout: Pick<DatasetLayout, 'wrapperFolder'>, imageName: string): string {
  return pathBelowWrapper(layout, imageName).split('/')[0];
}

/** An image's path without the wrapping folder (`cat/001.jpg` for `photos/cat/001.jpg`). */
export function pathBelowWrapper(layout: Pick<DatasetLayout, 'wrapperFolder'>, imageName: string): string {
  return layout.wrapperFolder === null ? imageName : imageName.slice(layout.wrapperFolder.length + 1);
}

export function sortClassNames(names: readonly string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/** labels.txt: line i is the class with label i. */
export function labelsFileContent(classNames: readonly string[]): string {
  return classNames.map((n) => `${n}\n`).join('');
}
