import { ALERT_KINDS, SecurityAlerts } from '../../libs/alerts/security-alerts';
import { rowsOf } from '../support/database';
import {
  createDistrict,
  createUser,
  openTestDatabase,
  uniqueSuffix,
  type TestDatabase,
} from '../support/factories';

/**
 * The alerts use case writes the alerts that sign-in, roster imports and the attachment scan raise:
 * each with its kind and severity, seen by district admins only, and once per attachment and kind
 * however often a retried activity raises it. Real PostgreSQL.
 */
describe('SecurityAlerts for sign-in, roster and attachment alerts', () => {
  let database: TestDatabase;

  beforeAll(() => {
    database = openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  const stored = (id: string) =>
    rowsOf(database.db).securityAlert.findUniqueOrThrow({
      where: { id },
      select: {
        districtId: true,
        kind: true,
        severity: true,
        attachmentId: true,
        schoolIds: true,
        details: true,
      },
    });

  async function newAttachment(districtId: string, uploaderId: string): Promise<string> {
    const row = await rowsOf(database.db).attachment.create({
      data: {
        districtId,
        uploaderId,
        filename: 'a.pdf',
        originalFilename: 'a.pdf',
        contentType: 'application/pdf',
        size: 1n,
        sha256: uniqueSuffix(),
      },
      select: { id: true },
    });
    return row.id;
  }

  it('when a recovery code is used, then a medium alert for district admins names the user', async () => {
    const districtId = await createDistrict(database.db);
    const admin = await createUser(database.db, districtId, { role: 'district_admin' });

    const id = await new SecurityAlerts(database.db.forDistrict(districtId)).recoveryCodeUsed(admin.id, {
      role: 'district_admin',
      remaining: 9,
    });

    expect(await stored(id)).toEqual({
      districtId,
      kind: ALERT_KINDS.recoveryCodeUsed,
      severity: 'medium',
      attachmentId: null,
      schoolIds: [],
      details: { userId: admin.id, role: 'district_admin', remaining: 9 },
    });
  });

  it('when a roster import is held, then a high alert for district admins carries the counts', async () => {
    const districtId = await createDistrict(database.db);

    const id = await new SecurityAlerts(database.db.forDistrict(districtId)).rosterImportHeld({
      importId: 'import-1',
      usersRemoved: 40,
    });

    expect(await stored(id)).toMatchObject({
      districtId,
      kind: ALERT_KINDS.rosterImportHeld,
      severity: 'high',
      schoolIds: [],
      details: { importId: 'import-1', usersRemoved: 40 },
    });
  });

  it('when a quarantine or scan alert is raised twice for one attachment, then each kind is stored once', async () => {
    const districtId = await createDistrict(database.db);
    const uploader = await createUser(database.db, districtId);
    const attachmentId = await newAttachment(districtId, uploader.id);
    const alerts = new SecurityAlerts(database.db.forDistrict(districtId));

    const quarantined = await alerts.attachmentQuarantined(attachmentId, { signature: 'Eicar-Signature' });
    const again = await alerts.attachmentQuarantined(attachmentId, { signature: 'Eicar-Signature' });
    const unavailable = await alerts.attachmentScanProblem(ALERT_KINDS.scannerUnavailable, attachmentId, {
      status: 'scanning',
    });
    const unavailableAgain = await alerts.attachmentScanProblem(
      ALERT_KINDS.scannerUnavailable,
      attachmentId,
      {
        status: 'scanning',
      },
    );

    expect(again).toBe(quarantined);
    expect(unavailableAgain).toBe(unavailable);
    expect(unavailable).not.toBe(quarantined);
    expect(await stored(quarantined)).toMatchObject({
      kind: ALERT_KINDS.attachmentQuarantined,
      severity: 'critical',
      attachmentId,
    });
    expect(await stored(unavailable)).toMatchObject({
      kind: ALERT_KINDS.scannerUnavailable,
      severity: 'high',
      attachmentId,
    });
    expect(await rowsOf(database.db).securityAlert.count({ where: { attachmentId } })).toBe(2);
  });
});
