import {
  accountThrottleKey,
  addressThrottleKey,
  fixedWindow,
  normalizeAddress,
  retryAfterSeconds,
} from '../../../libs/identity/login-throttle';

describe('login throttle windows and keys', () => {
  it('when a moment falls inside a window, then the window is aligned to multiples of its length', () => {
    const window = fixedWindow(Date.UTC(2026, 10, 23, 18, 7, 42, 500), 900);
    expect(window.start.toISOString()).toBe('2026-11-23T18:00:00.000Z');
    expect(window.end.toISOString()).toBe('2026-11-23T18:15:00.000Z');
  });

  it('when the end of the window is some way off, then Retry-After rounds up to whole seconds', () => {
    const now = Date.UTC(2026, 10, 23, 18, 7, 42, 500);
    expect(retryAfterSeconds(fixedWindow(now, 900), now)).toBe(438);
  });

  it('when the window ends in less than a second, then Retry-After is still at least one', () => {
    const now = Date.UTC(2026, 10, 23, 18, 14, 59, 999);
    expect(retryAfterSeconds(fixedWindow(now, 900), now)).toBe(1);
  });

  it('when an account key is built, then it names the district but not the username', () => {
    const key = accountThrottleKey('6f1c0e0a-5f55-4f5e-9d55-1d2b3c4d5e6f', 'Ms.Rivera');
    expect(key).toMatch(/^login:user:6f1c0e0a-5f55-4f5e-9d55-1d2b3c4d5e6f:[0-9a-f]{64}$/);
    expect(key).not.toContain('Rivera');
    expect(accountThrottleKey('d', 'a')).not.toBe(accountThrottleKey('d', 'A'));
  });

  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('when the client address is %s, then it is throttled as %s', (ip, normalized) => {
    expect(normalizeAddress(ip)).toBe(normalized);
    expect(addressThrottleKey(ip)).toBe(`login:addr:${normalized}`);
  });
});
