import { readImageHeader } from '../lambda/src/images/image-header';
import { checkImageStructure } from '../lambda/src/images/image-structure';
import { benchImage, entryPlan, printTable } from './conversion.bench';

const GiB = 1024 ** 3;

/**
 * The cost of walking every image's structure to its end marker (JPEG EOI, PNG chunks with
 * CRCs to IEND, GIF trailer), measured in this process over exactly the images of the 1 GiB bench
 * zip, against the wall time the conversion of that zip took in the same run. A second pass uses
 * JPEGs whose entropy-coded data has 0xFF00 stuffing at the rate real encoders write it (one 0xFF
 * in 256 bytes), the slow path of the scan.
 */
export function benchImageStructure(conversionWallSeconds: number | undefined): void {
  const plan = entryPlan(GiB);
  let plainSeconds = 0;
  let stuffedSeconds = 0;
  let bytes = 0;
  plan.forEach((e, i) => {
    const image = benchImage(e, i);
    bytes += image.length;
    plainSeconds += timed(image);
    stuffedSeconds += e.png ? timed(image) : timed(withStuffedEntropyData(image));
  });
  console.log(`\nImage structure check (in process) over the ${plan.length} images (${(bytes / 1e9).toFixed(2)} GB) of images-1gib-stored.zip`);
  const share = (s: number) => (conversionWallSeconds ? `${((100 * s) / conversionWallSeconds).toFixed(1)} %` : 'n/a');
  printTable([
    ['images', 'check s', 'check MB/s', 'share of conversion wall time'],
    ['as generated', plainSeconds.toFixed(3), (bytes / plainSeconds / 1e6).toFixed(0), share(plainSeconds)],
    ['JPEG with 0xFF00 stuffing', stuffedSeconds.toFixed(3), (bytes / stuffedSeconds / 1e6).toFixed(0), share(stuffedSeconds)],
  ]);
  console.log(`Conversion wall time of images-1gib-stored.zip in this run: ${conversionWallSeconds?.toFixed(2) ?? 'n/a'} s. Target: share <= 10 %.`);
}

function timed(image: Buffer): number {
  const started = process.hrtime.bigint();
  checkImageStructure(image, readImageHeader(image).format);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The same JPEG with every 256th entropy-coded byte replaced by a stuffed 0xFF 0x00 pair. */
function withStuffedEntropyData(jpeg: Buffer): Buffer {
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const dataStart = sos + 2 + jpeg.readUInt16BE(sos + 2);
  const out = Buffer.from(jpeg);
  for (let i = dataStart + 255; i + 1 < out.length - 2; i += 256) {
    out[i] = 0xff;
    out[i + 1] = 0x00;
  }
  return out;
}
