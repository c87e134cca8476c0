/** A small seeded generator (mulberry32): the same seed always yields the same roster. */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  below(bound: number): number;
  chance(probability: number): boolean;
  /** A key of `weights` drawn in proportion to its weight; null with the probability left over below 1. */
  weighted(weights: Readonly<Record<string, number>>): string | null;
  /** `count` distinct integers in [0, bound), in draw order. */
  distinct(count: number, bound: number): number[];
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (bound: number) => Math.floor(next() * bound);
  return {
    next,
    below,
    chance: (probability) => next() < probability,
    weighted: (weights) => {
      let draw = next();
      for (const [key, weight] of Object.entries(weights)) {
        if (draw < weight) return key;
        draw -= weight;
      }
      return null;
    },
    distinct: (count, bound) => {
      const wanted = Math.min(count, bound);
      if (wanted * 2 > bound) {
        const pool = Array.from({ length: bound }, (_, index) => index);
        for (let index = 0; index < wanted; index++) {
          const swap = index + below(bound - index);
          [pool[index], pool[swap]] = [pool[swap], pool[index]];
        }
        return pool.slice(0, wanted);
      }
      const picked = new Set<number>();
      while (picked.size < wanted) picked.add(below(bound));
      return [...picked];
    },
  };
}
