export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/**
 * Runs `fetch` over items in order with bounded look-ahead, yielding results in order. While the
 * caller works on one result, later fetches run (file reads and inflate use libuv's thread pool).
 * At most `maxInFlight` fetches are outstanding, and the weight of those plus the result the
 * caller holds stays within `maxBytes`; an item heavier than that is fetched only alone.
 */
export async function* readAhead<T, R>(
  items: readonly T[],
  weight: (item: T) => number,
  maxBytes: number,
  maxInFlight: number,
  fetch: (item: T) => Promise<R>,
): AsyncGenerator<{ item: T; result: Settled<R> }> {
  const queue: { item: T; weight: number; result: Promise<Settled<R>> }[] = [];
  let next = 0;
  let heldWeight = 0;
  const fill = () => {
    while (next < items.length && queue.length < maxInFlight) {
      const w = weight(items[next]);
      if (heldWeight > 0 && heldWeight + w > maxBytes) break;
      const item = items[next++];
      queue.push({
        item,
        weight: w,
        result: fetch(item).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      });
      heldWeight += w;
    }
  };
  fill();
  while (queue.length > 0) {
    const head = queue.shift()!;
    const result = await head.result;
    fill();
    yield { item: head.item, result };
    heldWeight -= head.weight;
    fill();
  }
}
