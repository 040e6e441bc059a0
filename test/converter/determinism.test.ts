import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jpegBytes, pngBytes } from '../support/images';
import { buildZip } from '../support/zip-builder';
import { convertToDirectory, listDir, removeDir } from './helpers';

const zip = buildZip(
  Array.from({ length: 60 }, (_, i) => ({
    name: `photos/${['ant', 'bee', 'cow', 'dog'][i % 4]}/${i}.${i % 3 ? 'jpg' : 'png'}`,
    data: i % 3 ? jpegBytes({ width: 5 + i, height: 7, payloadBytes: 200 + i, seed: i }) : pngBytes({ width: 3, height: 4 + i, seed: i }),
    method: i % 2 ? 8 : 0,
  })),
);

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of listDir(dir)) {
    const bytes = readFileSync(join(dir, name));
    if (name === 'manifest.json') {
      const { timing, ...rest } = JSON.parse(bytes.toString('utf8'));
      expect(timing.durationMs).toBeGreaterThanOrEqual(0);
      out[name] = JSON.stringify(rest);
    } else {
      out[name] = bytes.toString('base64');
    }
  }
  return out;
}

describe('determinism', () => {
  it('gives byte-identical shards and labels, and an identical manifest apart from timing, for the same input and options', async () => {
    const a = await convertToDirectory(zip, { targetShardBytes: 3000, seed: 11 });
    const b = await convertToDirectory(zip, { targetShardBytes: 3000, seed: 11 });
    try {
      const sa = snapshot(a.dir);
      expect(Object.keys(sa).length).toBeGreaterThan(4);
      expect(snapshot(b.dir)).toEqual(sa);
    } finally {
      removeDir(a.dir);
      removeDir(b.dir);
    }
  });

  it('changes the shard contents, not the set of records, with another seed', async () => {
    const a = await convertToDirectory(zip, { targetShardBytes: 3000, seed: 11 });
    const b = await convertToDirectory(zip, { targetShardBytes: 3000, seed: 12 });
    removeDir(a.dir);
    removeDir(b.dir);
    const ma = a.result!.manifest;
    const mb = b.result!.manifest;
    expect(mb.shards.map((s) => s.name)).toEqual(ma.shards.map((s) => s.name));
    expect(mb.shards.map((s) => s.checksum.value)).not.toEqual(ma.shards.map((s) => s.checksum.value));
    expect(mb.records).toBe(ma.records);
    expect(mb.classes).toEqual(ma.classes);
  });
});
