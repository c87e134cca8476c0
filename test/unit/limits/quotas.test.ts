import { fixedWindow, retryAfterSeconds } from '../../../libs/domain/limits/fixed-window';
import {
  chargeStages,
  chargesOverLimit,
  type QuotaCharge,
  decideQuota,
  quotaCharges,
  quotaKey,
  quotaRefusalMessage,
  refusalKey,
} from '../../../libs/domain/limits/quotas';

const subject = {
  userId: 'f0000000-0000-4000-8000-000000000001',
  districtId: '10000000-0000-4000-8000-000000000002',
};
const HOUR_MS = 3600 * 1000;

describe('fixed quota windows', () => {
  it('when two instances look at any moment of the same hour, then they agree on its start and end', () => {
    const start = Date.UTC(2026, 11, 7, 8, 0, 0);
    for (const offset of [0, 1, 59_999, HOUR_MS - 1]) {
      expect(fixedWindow(start + offset, 3600)).toEqual({
        start: new Date(start),
        end: new Date(start + HOUR_MS),
      });
    }
    expect(fixedWindow(start + HOUR_MS, 3600).start).toEqual(new Date(start + HOUR_MS));
  });

  it('when Retry-After is computed, then it is the whole seconds left in the window, at least one', () => {
    const window = fixedWindow(Date.UTC(2026, 11, 7, 8), 3600);
    const start = window.start.getTime();
    expect(retryAfterSeconds(window, start)).toBe(3600);
    expect(retryAfterSeconds(window, start + 1)).toBe(3600);
    expect(retryAfterSeconds(window, start + 1000)).toBe(3599);
    expect(retryAfterSeconds(window, start + HOUR_MS - 1)).toBe(1);
    expect(retryAfterSeconds(window, start + HOUR_MS)).toBe(1);
  });
});

describe('quota charges', () => {
  const demands = [
    { quota: 'uploads' as const, amount: 1, userLimit: 10, districtLimit: 100 },
    { quota: 'upload_bytes' as const, amount: 5000, userLimit: 4000, districtLimit: 1_000_000 },
  ];

  it('when a write draws on quotas, then it charges the user and the district for each, ordered by key', () => {
    const charges = quotaCharges(subject, demands);
    expect(charges.map((c) => c.key)).toEqual([
      `quota:upload_bytes:district:${subject.districtId}`,
      `quota:upload_bytes:user:${subject.userId}`,
      `quota:uploads:district:${subject.districtId}`,
      `quota:uploads:user:${subject.userId}`,
    ]);
    expect(charges.map((c) => [c.scope, c.subjectId, c.amount, c.limit])).toEqual([
      ['district', subject.districtId, 5000, 1_000_000],
      ['user', subject.userId, 5000, 4000],
      ['district', subject.districtId, 1, 100],
      ['user', subject.userId, 1, 10],
    ]);
  });

  it('when the demands come in another order, then the lock order of the counters is the same', () => {
    expect(quotaCharges(subject, [...demands].reverse())).toEqual(quotaCharges(subject, demands));
  });

  it('when an amount alone exceeds a limit, then that charge can never be accepted', () => {
    const over = chargesOverLimit(quotaCharges(subject, demands));
    expect(over.map((c) => c.key)).toEqual([quotaKey('upload_bytes', 'user', subject.userId)]);
  });

  it('when an amount exceeds both limits, then only the user is refused; the district only when the user fits', () => {
    const huge = { quota: 'upload_bytes' as const, amount: 5000 };
    const both = chargesOverLimit(quotaCharges(subject, [{ ...huge, userLimit: 4000, districtLimit: 4500 }]));
    expect(both.map((c) => c.scope)).toEqual(['user']);
    const district = chargesOverLimit(
      quotaCharges(subject, [{ ...huge, userLimit: 6000, districtLimit: 4500 }]),
    );
    expect(district.map((c) => c.scope)).toEqual(['district']);
  });

  it('when keys of different quotas, scopes or subjects are built, then none collide and refusals have their own', () => {
    const keys = new Set([
      quotaKey('messages', 'user', subject.userId),
      quotaKey('messages', 'district', subject.userId),
      quotaKey('reports', 'user', subject.userId),
      quotaKey('messages', 'user', subject.districtId),
      ...quotaCharges(subject, demands).map(refusalKey),
    ]);
    expect(keys.size).toBe(8);
    for (const charge of quotaCharges(subject, demands)) expect(refusalKey(charge)).not.toBe(charge.key);
  });
});

describe('the quota decision', () => {
  const charges = quotaCharges(subject, [{ quota: 'messages', amount: 1, userLimit: 3, districtLimit: 5 }]);
  const [district, user] = charges as [(typeof charges)[0], (typeof charges)[0]];

  it('when every counter took the write, then it is allowed and nothing is given back', () => {
    expect(decideQuota(charges, new Set([district.key, user.key]))).toEqual({
      allowed: true,
      refused: [],
      toRelease: [],
    });
  });

  it('when the user is over, then only the user refused: the district was never tried', () => {
    expect(decideQuota(charges, new Set())).toEqual({ allowed: false, refused: [user], toRelease: [] });
  });

  it('when the district ceiling refused it, then the user gets their count back', () => {
    expect(decideQuota(charges, new Set([user.key]))).toEqual({
      allowed: false,
      refused: [district],
      toRelease: [user],
    });
  });

  it('when one of several user counters refused, then the user counters that took it give it back', () => {
    const upload = quotaCharges(subject, [
      { quota: 'uploads', amount: 1, userLimit: 10, districtLimit: 100 },
      { quota: 'upload_bytes', amount: 500, userLimit: 4000, districtLimit: 1_000_000 },
    ]);
    const { first, then } = chargeStages(upload);
    expect(first.map((c) => c.scope)).toEqual(['user', 'user']);
    expect(then.map((c) => c.scope)).toEqual(['district', 'district']);
    const [bytes, count] = first as [QuotaCharge, QuotaCharge];
    expect(decideQuota(upload, new Set([count.key]))).toEqual({
      allowed: false,
      refused: [bytes],
      toRelease: [count],
    });
  });

  it('when a refusal is worded, then it names the quota, the limit and whose it is', () => {
    expect(quotaRefusalMessage(user)).toBe(
      'Too many messages for now: the limit is 3 per hour. Try again later.',
    );
    expect(quotaRefusalMessage(district)).toBe(
      'Too many messages for now: the limit is 5 per hour for the whole district. Try again later.',
    );
  });
});
