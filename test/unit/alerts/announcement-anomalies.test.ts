import {
  type AnnouncementAnomalyFacts,
  announcementAnomalies,
  announcementRateThreshold,
} from '../../../libs/alerts/announcement-anomalies';

const NOW = new Date('2026-12-06T12:00:00Z');
const SETTINGS = { broadcastRecipients: 500, newDeviceWindowMinutes: 30, rateFactor: 3, rateMinimum: 10 };
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

function facts(overrides: Partial<AnnouncementAnomalyFacts> = {}): AnnouncementAnomalyFacts {
  return {
    now: NOW,
    newDeviceSignInAt: null,
    recipients: 0,
    districtBroadcastRecipients: null,
    lastHourCount: 1,
    busiestHourBefore: 0,
    ...overrides,
  };
}

describe('announcementAnomalies: a large announcement soon after a new-device sign-in', () => {
  it('when it reaches more than the threshold within the window, then it is an anomaly', () => {
    expect(
      announcementAnomalies(facts({ newDeviceSignInAt: minutesAgo(12), recipients: 501 }), SETTINGS),
    ).toEqual([
      {
        kind: 'anomaly_new_device_broadcast',
        details: { recipients: 501, threshold: 500, minutesSinceSignIn: 12 },
      },
    ]);
  });

  it.each([
    ['exactly the threshold', { newDeviceSignInAt: minutesAgo(1), recipients: 500 }],
    ['after the window', { newDeviceSignInAt: minutesAgo(31), recipients: 20_000 }],
    ['from a known device', { newDeviceSignInAt: null, recipients: 20_000 }],
  ])('when it reaches %s, then it is none', (_what, overrides) => {
    expect(announcementAnomalies(facts(overrides), SETTINGS)).toEqual([]);
  });

  it("when the district set its own threshold, then the district's counts instead of the default", () => {
    const small = facts({
      newDeviceSignInAt: minutesAgo(0),
      recipients: 40,
      districtBroadcastRecipients: 30,
    });
    const large = facts({
      newDeviceSignInAt: minutesAgo(0),
      recipients: 900,
      districtBroadcastRecipients: 1_000,
    });

    expect(announcementAnomalies(small, SETTINGS).map((a) => a.kind)).toEqual([
      'anomaly_new_device_broadcast',
    ]);
    expect(announcementAnomalies(large, SETTINGS)).toEqual([]);
  });
});

describe("announcementAnomalies: a teacher's rate far above their own history", () => {
  it('when there is no history, then the minimum decides, and the alert comes once, at the crossing', () => {
    const kinds = (lastHourCount: number) =>
      announcementAnomalies(facts({ lastHourCount }), SETTINGS).map((a) => a.kind);

    expect(kinds(9)).toEqual([]);
    expect(kinds(10)).toEqual(['anomaly_announcement_rate']);
    expect(kinds(11)).toEqual([]);
  });

  it('when the teacher had a busy hour, then the threshold is more than three times it', () => {
    expect(announcementRateThreshold(5, SETTINGS)).toBe(16);
    expect(announcementRateThreshold(3, SETTINGS)).toBe(10);
    expect(announcementAnomalies(facts({ lastHourCount: 16, busiestHourBefore: 5 }), SETTINGS)).toEqual([
      {
        kind: 'anomaly_announcement_rate',
        details: { lastHourCount: 16, busiestHourBefore: 5, threshold: 16 },
      },
    ]);
    expect(announcementAnomalies(facts({ lastHourCount: 15, busiestHourBefore: 5 }), SETTINGS)).toEqual([]);
  });

  it('when both signs show, then both are raised', () => {
    const both = facts({ newDeviceSignInAt: minutesAgo(2), recipients: 800, lastHourCount: 10 });

    expect(announcementAnomalies(both, SETTINGS).map((a) => a.kind)).toEqual([
      'anomaly_new_device_broadcast',
      'anomaly_announcement_rate',
    ]);
  });
});
