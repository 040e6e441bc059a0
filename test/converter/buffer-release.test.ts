import { BufferRelease } from '../../lambda/src/dataset/buffer-release';

describe('BufferRelease', () => {
  test('collects once per interval of image bytes, not per image', () => {
    let collections = 0;
    const release = new BufferRelease(100, () => collections++);
    for (const bytes of [40, 40, 40]) release.done(bytes);
    expect(collections).toBe(1);
    for (const bytes of [30, 30, 30]) release.done(bytes);
    expect(collections).toBe(1);
    release.done(10);
    expect(collections).toBe(2);
  });

  test('the default collector is V8 garbage collection, exposed at run time: an unreachable buffer is collected', async () => {
    let garbage: Buffer | undefined = Buffer.alloc(1024 * 1024, 1);
    const watched = new WeakRef(garbage);
    // A WeakRef keeps its target alive until the job that created it ends.
    await new Promise((resolve) => setImmediate(resolve));
    garbage = undefined;
    new BufferRelease(1).done(1);
    expect(garbage).toBeUndefined();
    expect(watched.deref()).toBeUndefined();
  });
});
