import { type TenantRepositories } from '../db/database';
import { type AlertSeverity } from '../db/repositories/security-alert.repository';
import { conversationSchoolIds, userSchoolIds } from '../domain/policy';

export const ALERT_KINDS = {
  messageReported: 'message_reported',
  accountSuspended: 'account_suspended',
  accountReinstated: 'account_reinstated',
  announcementRetracted: 'announcement_retracted',
  quotaExceeded: 'quota_exceeded',
  newDeviceBroadcast: 'anomaly_new_device_broadcast',
  announcementRate: 'anomaly_announcement_rate',
  recoveryCodeUsed: 'recovery_code_used',
  rosterImportHeld: 'roster_import_held',
  attachmentQuarantined: 'attachment_quarantined',
  scannerUnavailable: 'scanner_unavailable',
  attachmentScanFailed: 'attachment_scan_failed',
} as const;

type Details = Record<string, string | number | boolean | null>;

/**
 * The alerts use case: every alert is written here, in the caller's transaction when it has one, together with the schools whose admins must see it (district admins see them all). The
 * scope is taken from the current roster when the alert is raised, so a report stays in front of the
 * school it concerned even after the student moves on. Each method returns the alert's id, for the
 * caller to hand to the webhook delivery workflow once the transaction has committed.
 */
export class SecurityAlerts {
  constructor(private readonly tx: TenantRepositories) {}

  /** A participant reported a message: the schools where the conversation's students are taught. */
  async messageReported(input: {
    messageId: string;
    reportId: string;
    reporterId: string;
    participantIds: readonly [string, string];
  }): Promise<string> {
    const facts = await this.tx.rosterFacts.sliceForUsers(input.participantIds);
    return this.raise('high', ALERT_KINDS.messageReported, {
      messageId: input.messageId,
      schoolIds: conversationSchoolIds(this.tx.districtId, input.participantIds, facts),
      details: { reportId: input.reportId, reporterId: input.reporterId },
    });
  }

  async accountSuspended(userId: string, details: Details): Promise<string> {
    return this.raise('high', ALERT_KINDS.accountSuspended, {
      schoolIds: await this.schoolsOfUser(userId),
      details: { userId, ...details },
    });
  }

  async accountReinstated(userId: string, details: Details): Promise<string> {
    return this.raise('medium', ALERT_KINDS.accountReinstated, {
      schoolIds: await this.schoolsOfUser(userId),
      details: { userId, ...details },
    });
  }

  /** Retractions and anomalies concern the school of the announcement's section. */
  async aboutAnnouncement(
    kind:
      | typeof ALERT_KINDS.announcementRetracted
      | typeof ALERT_KINDS.newDeviceBroadcast
      | typeof ALERT_KINDS.announcementRate,
    severity: AlertSeverity,
    input: { announcementId: string; sectionId: string; details: Details },
  ): Promise<string> {
    const section = await this.tx.sections.findById(input.sectionId);
    return this.raise(severity, kind, {
      schoolIds: section ? [section.schoolId] : [],
      details: { announcementId: input.announcementId, ...input.details },
    });
  }

  /** A user's quota concerns their schools; the district's ceiling its district admins only. */
  async quotaExceeded(input: {
    scope: 'user' | 'district';
    userId: string;
    severity: AlertSeverity;
    details: Details;
  }): Promise<string> {
    return this.raise(input.severity, ALERT_KINDS.quotaExceeded, {
      schoolIds: input.scope === 'user' ? await this.schoolsOfUser(input.userId) : [],
      details: { ...input.details, userId: input.userId },
    });
  }

  /** Someone signed in with a recovery code: what a thief of the password and the code sheet would do. */
  async recoveryCodeUsed(userId: string, details: Details): Promise<string> {
    return this.raise('medium', ALERT_KINDS.recoveryCodeUsed, {
      schoolIds: [],
      details: { userId, ...details },
    });
  }

  /** A roster import held for an admin's confirmation because it would remove too much. */
  async rosterImportHeld(details: Details): Promise<string> {
    return this.raise('high', ALERT_KINDS.rosterImportHeld, { schoolIds: [], details });
  }

  /** Once per attachment and kind (a retried scan finds the alert already there). */
  async attachmentQuarantined(attachmentId: string, details: Details): Promise<string> {
    return this.raise('critical', ALERT_KINDS.attachmentQuarantined, {
      attachmentId,
      schoolIds: [],
      details,
    });
  }

  /** clamd stayed silent, or refused the file, for the whole retry budget; once per attachment and kind. */
  async attachmentScanProblem(
    kind: typeof ALERT_KINDS.scannerUnavailable | typeof ALERT_KINDS.attachmentScanFailed,
    attachmentId: string,
    details: Details,
  ): Promise<string> {
    return this.raise('high', kind, { attachmentId, schoolIds: [], details });
  }

  private async schoolsOfUser(userId: string): Promise<string[]> {
    return userSchoolIds(this.tx.districtId, userId, await this.tx.rosterFacts.sliceForUsers([userId]));
  }

  private async raise(
    severity: AlertSeverity,
    kind: string,
    alert: { messageId?: string; attachmentId?: string; schoolIds: readonly string[]; details: Details },
  ): Promise<string> {
    const { alert: stored } = await this.tx.securityAlerts.raiseOnce({ kind, severity, ...alert });
    return stored.id;
  }
}
