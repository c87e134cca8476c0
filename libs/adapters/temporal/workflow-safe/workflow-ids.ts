/**
 * Every workflow and Schedule id, in one place. Ids are deterministic, so starting one that already
 * exists attaches to it instead of running twice. Pure and free of imports, so workflows (child
 * starts) and the workflow gateway derive ids the same way.
 */
export const workflowIds = {
  announcement: (announcementId: string) => `announcement-${announcementId}`,
  attachmentScan: (attachmentId: string) => `attachment-scan-${attachmentId}`,
  roster: (districtId: string, importId: string) => `roster-${districtId}-${importId}`,
  /** The run that applies a held import once confirmed; each hold (by its time) is confirmed at most once. */
  rosterConfirmed: (districtId: string, importId: string, heldAt: Date) =>
    `roster-${districtId}-${importId}-confirmed-${heldAt.getTime()}`,
  /** The drop-folder workflow's id; each scheduled run gets `-<time>` appended by Temporal. */
  rosterDropFolder: (districtId: string) => `roster-drop-${districtId}`,
  /** The OneRoster REST import workflow's id; each scheduled run gets `-<time>` appended by Temporal. */
  rosterApi: (districtId: string) => `roster-api-${districtId}`,
  /** One per message or announcement, so starting it again while it runs attaches to the running one. */
  translation: (subjectKind: 'message' | 'announcement', subjectId: string) =>
    `translation-${subjectKind}-${subjectId}`,
  diagnostics: (probeId: string) => `diagnostics-${probeId}`,
  alertDelivery: (alertId: string) => `alert-delivery-${alertId}`,
} as const;

/** The names workflows answer queries under (their handlers) and the gateway asks by. */
export const queryNames = {
  rosterImportProgress: 'progress',
  announcementProgress: 'announcementProgress',
} as const;

export const scheduleIds = {
  /** Re-imports a district's drop folder (one per district). */
  rosterDropFolder: (districtId: string) => `roster-schedule-${districtId}`,
  /** Imports a district from its OneRoster REST source (one per district). */
  rosterApi: (districtId: string) => `roster-api-schedule-${districtId}`,
  /** One per task queue, so two installations sharing a namespace never redirect each other's. */
  attachmentRetention: (taskQueue: string) => `attachment-retention-${taskQueue}`,
} as const;
