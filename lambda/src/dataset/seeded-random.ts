/**
 * Deterministic PRNG for the shard shuffle: xoshiro128** (Blackman and Vigna, 2018) with its
 * 128-bit state filled from the 32-bit seed by SplitMix32. Same seed, same sequence, on every
 * platform (only 32-bit integer arithmetic via Math.imul and >>>). Changing this changes every
 * dataset's shard contents, so it is part of the output format.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A 32-bit seed, or the raw 128-bit state (for checking against the reference implementation). */
  constructor(seed: number | readonly [number, number, number, number]) {
    if (typeof seed !== 'number') {
      [this.s0, this.s1, this.s2, this.s3] = seed.map((w) => w | 0);
      return;
    }
    let x = seed >>> 0;
    const splitmix32 = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32();
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform integer in [0, n), n ≤ 2^32, without modulo bias (rejection sampling). */
  below(n: number): number {
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fisher–Yates, from the last element down, with `random.below(i + 1)`. */
export function shuffleInPlace<T>(items: T[], random: SeededRandom): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}
