import { TtlLruCache } from '../../../libs/crypto/ttl-lru-cache';

describe('TtlLruCache', () => {
  it('when more entries than the bound are added, then the least recently used one is evicted', () => {
    const cache = new TtlLruCache<string, number>(2, 60_000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);

    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('when an entry outlives its time to live, then it is gone, even if it was read meanwhile', () => {
    let now = 1_000;
    const cache = new TtlLruCache<string, number>(10, 500, () => now);
    cache.set('a', 1);
    now = 1_400;
    expect(cache.get('a')).toBe(1);
    now = 1_500;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('when an entry is set again, then its time to live starts over', () => {
    let now = 0;
    const cache = new TtlLruCache<string, number>(10, 100, () => now);
    cache.set('a', 1);
    now = 90;
    cache.set('a', 2);
    now = 150;
    expect(cache.get('a')).toBe(2);
  });

  it('when built with a non-positive bound or time to live, then it refuses', () => {
    expect(() => new TtlLruCache(0, 100)).toThrow(RangeError);
    expect(() => new TtlLruCache(10, 0)).toThrow(RangeError);
  });
});
