import { type DbClient } from '../db-client';

export type AlertSeverity = 'critical' | 'high' | 'medium' | 'low';

export interface NewSecurityAlert {
  kind: string;
  severity: AlertSeverity;
  attachmentId?: string | null;
  messageId?: string | null;
  /** The schools whose admins see the alert besides the district's admins. */
  schoolIds?: readonly string[];
  /** Ids, counts and signature names only; never names, contact details or message text. */
  details?: Record<string, string | number | boolean | null>;
}

export interface SecurityAlertRecord {
  id: string;
  districtId: string;
  kind: string;
  severity: string;
  attachmentId: string | null;
  messageId: string | null;
  details: unknown;
  schoolIds: string[];
  createdAt: Date;
  acknowledgedAt: Date | null;
}

const RECORD = {
  id: true,
  districtId: true,
  kind: true,
  severity: true,
  attachmentId: true,
  messageId: true,
  details: true,
  schoolIds: true,
  createdAt: true,
  acknowledgedAt: true,
} as const;

/** A district's security alerts (quarantines, scanner outages, reports), newest first. */
export class SecurityAlertRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /**
   * Stores the alert unless one of its kind already exists for the attachment (the unique key
   * (attachment_id, kind)), so a retried scan raises its alert once; `created` says which happened.
   */
  async raiseOnce(alert: NewSecurityAlert): Promise<{ alert: SecurityAlertRecord; created: boolean }> {
    const inserted = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO security_alerts
        (id, district_id, kind, severity, attachment_id, message_id, details, school_ids)
      VALUES (gen_random_uuid(), ${this.districtId}::uuid, ${alert.kind}, ${alert.severity},
              ${alert.attachmentId ?? null}::uuid, ${alert.messageId ?? null}::uuid,
              ${JSON.stringify(alert.details ?? {})}::jsonb, ${[...(alert.schoolIds ?? [])]}::uuid[])
      ON CONFLICT (attachment_id, kind) DO NOTHING
      RETURNING id`;
    const id = inserted[0]?.id;
    const stored = await this.prisma.securityAlert.findFirstOrThrow({
      where: id
        ? { id }
        : { districtId: this.districtId, attachmentId: alert.attachmentId ?? null, kind: alert.kind },
      select: RECORD,
    });
    return { alert: stored, created: id !== undefined };
  }

  find(id: string): Promise<SecurityAlertRecord | null> {
    return this.prisma.securityAlert.findFirst({
      where: { id, districtId: this.districtId },
      select: RECORD,
    });
  }

  /**
   * A page of alerts, newest first. With `schoolId`, only the alerts of that school: those raised with
   * the school in their scope (reports, suspensions, retractions, quotas, anomalies), and those on
   * attachments uploaded by someone of the school (their account belongs to it, or they are a teacher
   * or student of one of its active sections).
   */
  list(options: {
    limit: number;
    before?: { createdAt: Date; id: string };
    schoolId?: string;
  }): Promise<SecurityAlertRecord[]> {
    const { before, schoolId } = options;
    return this.prisma.securityAlert.findMany({
      where: {
        districtId: this.districtId,
        AND: [
          schoolId
            ? {
                OR: [
                  { schoolIds: { has: schoolId } },
                  {
                    attachment: {
                      uploader: {
                        OR: [
                          { schoolId },
                          { sectionMemberships: { some: { section: { schoolId, active: true } } } },
                        ],
                      },
                    },
                  },
                ],
              }
            : {},
          before
            ? {
                OR: [
                  { createdAt: { lt: before.createdAt } },
                  { createdAt: before.createdAt, id: { lt: before.id } },
                ],
              }
            : {},
        ],
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: options.limit,
      select: RECORD,
    });
  }

  /** Every alert of the attachment; tests and operators use it to confirm "exactly one". */
  forAttachment(attachmentId: string): Promise<SecurityAlertRecord[]> {
    return this.prisma.securityAlert.findMany({
      where: { districtId: this.districtId, attachmentId },
      orderBy: { createdAt: 'asc' },
      select: RECORD,
    });
  }
}
