import type { ImageFormat } from '../images/image-header';
import type { Features } from '../tfrecord/example';

export interface ImageRecord {
  /** The original file bytes, stored unmodified. */
  readonly encoded: Uint8Array;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** The entry's path in the zip. */
  readonly filename: string;
  readonly label?: { readonly index: number; readonly text: string };
}

/**
 * The tf.train.Example features of one image (TF-models / ImageNet keys). Unlabeled datasets have
 * no `image/class/*` features. encodeExample sorts the keys, so equal input gives equal bytes.
 */
export function imageFeatures(image: ImageRecord): Features {
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  return {
    'image/encoded': { bytesList: [image.encoded] },
    'image/format': { bytesList: [utf8(image.format)] },
    'image/height': { int64List: [BigInt(image.height)] },
    'image/width': { int64List: [BigInt(image.width)] },
    'image/filename': { bytesList: [utf8(image.filename)] },
    ...(image.label
      ? {
          'image/class/label': { int64List: [BigInt(image.label.index)] },
          'image/class/text': { bytesList: [utf8(image.label.text)] },
        }
      : {}),
  };
}
