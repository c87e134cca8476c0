import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  batchOfStudent,
  FAN_OUT_BATCH_SIZE,
  fanOutBatchCount,
  studentIdRange,
} from '../../../libs/domain/messaging/fan-out-plan';

/** UUIDs compare as PostgreSQL compares them: byte by byte, which for lower-case hex is string order. */
const inRange = (id: string, range: { from: string; to: string | null }) =>
  id >= range.from && (range.to === null || id < range.to);

describe('fan-out batch arithmetic', () => {
  it('when recipients are counted, then batches hold 500 on average and zero recipients need none', () => {
    expect(FAN_OUT_BATCH_SIZE).toBe(500);
    expect(fanOutBatchCount(0)).toBe(0);
    expect(fanOutBatchCount(1)).toBe(1);
    expect(fanOutBatchCount(500)).toBe(1);
    expect(fanOutBatchCount(501)).toBe(2);
    expect(fanOutBatchCount(20_000)).toBe(40);
    expect(fanOutBatchCount(50_001)).toBe(101);
    expect(() => fanOutBatchCount(-1)).toThrow(RangeError);
    expect(() => fanOutBatchCount(1.5)).toThrow(RangeError);
  });

  it('when the ranges of a fan-out are listed, then they tile the UUID space in order without gaps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), (batchCount) => {
        const ranges = Array.from({ length: batchCount }, (_, batch) => studentIdRange(batch, batchCount));
        const gaps = ranges.filter((range, i) => i > 0 && range.from !== ranges[i - 1]!.to);
        const unordered = ranges.filter((range, i) => i > 0 && !(range.from > ranges[i - 1]!.from));
        return (
          ranges[0]!.from === '00000000-0000-0000-0000-000000000000' &&
          ranges.at(-1)!.to === null &&
          gaps.length === 0 &&
          unordered.length === 0
        );
      }),
      { numRuns: 50 },
    );
  });

  it('when any student id is placed, then exactly one range holds it and batchOfStudent names that range', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 3_000 }), (id, batchCount) => {
        const batch = batchOfStudent(id, batchCount);
        const holding = Array.from({ length: batchCount }, (_, b) => b).filter((b) =>
          inRange(id.toLowerCase(), studentIdRange(b, batchCount)),
        );
        expect(holding).toEqual([batch]);
      }),
      { numRuns: 300 },
    );
  });

  it('when 20,000 random ids are split into 40 batches, then every batch holds about 500', () => {
    const sizes = new Array<number>(40).fill(0);
    for (let i = 0; i < 20_000; i++) sizes[batchOfStudent(randomUUID(), 40)]!++;

    expect(Math.min(...sizes)).toBeGreaterThan(380);
    expect(Math.max(...sizes)).toBeLessThan(620);
  });

  it('when a batch number is out of range, then it is refused', () => {
    expect(() => studentIdRange(3, 3)).toThrow(RangeError);
    expect(() => studentIdRange(-1, 3)).toThrow(RangeError);
    expect(() => studentIdRange(0, 0)).toThrow(RangeError);
    expect(() => batchOfStudent('not-a-uuid', 3)).toThrow(RangeError);
  });
});
