import { type DbClient } from '../db-client';

export interface AnnouncementAnomalyRow {
  newDeviceSignInAt: Date | null;
  recipients: number;
  districtBroadcastRecipients: number | null;
  lastHourCount: number;
  busiestHourBefore: number;
}

/**
 * The facts of the anomaly checks on an accepted announcement, in one statement so the send path pays
 * one round trip: the poster's session (when it began on a new device), the section's reach (counted
 * only for such a session within the window; otherwise the count is skipped), the district's
 * threshold and the author's hourly history, read through the (author_id, created_at) index.
 */
export class AnnouncementAnomalyRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async facts(input: {
    sessionId: string;
    authorId: string;
    sectionId: string;
    now: Date;
    newDeviceWindowMinutes: number;
  }): Promise<AnnouncementAnomalyRow> {
    const { sessionId, authorId, sectionId, now } = input;
    const windowStart = new Date(now.getTime() - input.newDeviceWindowMinutes * 60_000);
    const lastHour = new Date(now.getTime() - 3_600_000);
    const historyStart = new Date(lastHour.getTime() - 30 * 24 * 3_600_000);
    const rows = await this.prisma.$queryRaw<
      {
        new_device_at: Date | null;
        recipients: number;
        district_threshold: number | null;
        last_hour: number;
        busiest_hour: number;
      }[]
    >`
      WITH fresh_session AS (
        SELECT created_at FROM sessions
        WHERE id = ${sessionId}::uuid AND district_id = ${this.districtId}::uuid
          AND new_device AND created_at >= ${windowStart}
      ),
      students AS (
        SELECT m.user_id FROM section_memberships m JOIN users u ON u.id = m.user_id AND u.active
        WHERE m.section_id = ${sectionId}::uuid AND m.district_id = ${this.districtId}::uuid
          AND m.role = 'student' AND EXISTS (SELECT 1 FROM fresh_session)
      )
      SELECT
        (SELECT created_at FROM fresh_session) AS new_device_at,
        ((SELECT count(*) FROM students)
          + (SELECT count(DISTINCT g.guardian_id) FROM guardian_links g
             JOIN users gu ON gu.id = g.guardian_id AND gu.active
             WHERE g.district_id = ${this.districtId}::uuid
               AND g.student_id IN (SELECT user_id FROM students)))::int AS recipients,
        (SELECT anomaly_broadcast_recipients FROM districts WHERE id = ${this.districtId}::uuid)
          AS district_threshold,
        (SELECT count(*) FROM announcements
         WHERE district_id = ${this.districtId}::uuid AND author_id = ${authorId}::uuid
           AND created_at > ${lastHour})::int AS last_hour,
        COALESCE((SELECT max(n) FROM (
           SELECT count(*) AS n FROM announcements
           WHERE district_id = ${this.districtId}::uuid AND author_id = ${authorId}::uuid
             AND created_at > ${historyStart} AND created_at <= ${lastHour}
           GROUP BY date_trunc('hour', created_at)) AS hours), 0)::int AS busiest_hour`;
    const row = rows[0]!;
    return {
      newDeviceSignInAt: row.new_device_at,
      recipients: row.recipients,
      districtBroadcastRecipients: row.district_threshold,
      lastHourCount: row.last_hour,
      busiestHourBefore: row.busiest_hour,
    };
  }
}
