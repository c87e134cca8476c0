import { ALERT_KINDS } from './security-alerts';

/** What the send path knows about an announcement just accepted, from one query. */
export interface AnnouncementAnomalyFacts {
  now: Date;
  /**
   * When the poster's session began, if it began with a sign-in from a new device (no valid device
   * token of the account); null otherwise.
   */
  newDeviceSignInAt: Date | null;
  /** The section's current students and their guardians: who the fan-out is about to reach. */
  recipients: number;
  /** The district's own threshold, or null for the configured default. */
  districtBroadcastRecipients: number | null;
  /** The author's announcements in the last hour, this one included. */
  lastHourCount: number;
  /** The author's busiest clock hour in the 30 days before the last hour (0 without history). */
  busiestHourBefore: number;
}

export interface AnnouncementAnomalySettings {
  broadcastRecipients: number;
  newDeviceWindowMinutes: number;
  rateFactor: number;
  rateMinimum: number;
}

export type AnnouncementAnomaly =
  | {
      kind: typeof ALERT_KINDS.newDeviceBroadcast;
      details: { recipients: number; threshold: number; minutesSinceSignIn: number };
    }
  | {
      kind: typeof ALERT_KINDS.announcementRate;
      details: { lastHourCount: number; busiestHourBefore: number; threshold: number };
    };

/**
 * The two signs of someone else in a teacher's account (DESIGN.md, threat model): a large announcement
 * within minutes of a sign-in from a device the account never used, and a burst far above the
 * teacher's own history. Neither stops the announcement; each raises an alert for a human.
 *
 * The rate alert fires once per burst: when the last hour's count reaches the threshold (more than
 * `rateFactor` times the busiest past hour, and at least `rateMinimum`), not again for every further
 * announcement of the same burst.
 */
export function announcementAnomalies(
  facts: AnnouncementAnomalyFacts,
  settings: AnnouncementAnomalySettings,
): AnnouncementAnomaly[] {
  const anomalies: AnnouncementAnomaly[] = [];
  const broadcastThreshold = facts.districtBroadcastRecipients ?? settings.broadcastRecipients;
  if (facts.newDeviceSignInAt !== null && facts.recipients > broadcastThreshold) {
    const minutesSinceSignIn = (facts.now.getTime() - facts.newDeviceSignInAt.getTime()) / 60_000;
    if (minutesSinceSignIn <= settings.newDeviceWindowMinutes) {
      anomalies.push({
        kind: ALERT_KINDS.newDeviceBroadcast,
        details: {
          recipients: facts.recipients,
          threshold: broadcastThreshold,
          minutesSinceSignIn: Math.max(0, Math.floor(minutesSinceSignIn)),
        },
      });
    }
  }
  const rateThreshold = announcementRateThreshold(facts.busiestHourBefore, settings);
  if (facts.lastHourCount === rateThreshold) {
    anomalies.push({
      kind: ALERT_KINDS.announcementRate,
      details: {
        lastHourCount: facts.lastHourCount,
        busiestHourBefore: facts.busiestHourBefore,
        threshold: rateThreshold,
      },
    });
  }
  return anomalies;
}

/** The smallest hourly count that is more than `rateFactor` times the busiest past hour, and at least the minimum. */
export function announcementRateThreshold(
  busiestHourBefore: number,
  settings: Pick<AnnouncementAnomalySettings, 'rateFactor' | 'rateMinimum'>,
): number {
  return Math.max(settings.rateMinimum, Math.floor(settings.rateFactor * busiestHourBefore) + 1);
}
