/** Deterministic workflow ids: starting one that already exists attaches to it instead of running twice. */
export const workflowIds = {
  announcement: (announcementId: string) => `announcement-${announcementId}`,
  attachmentScan: (attachmentId: string) => `attachment-scan-${attachmentId}`,
  roster: (districtId: string, importId: string) => `roster-${districtId}-${importId}`,
  /** The run that applies a held import once confirmed; each hold (by its time) is confirmed at most once. */
  rosterConfirmed: (districtId: string, importId: string, heldAt: Date) =>
    `roster-${districtId}-${importId}-confirmed-${heldAt.getTime()}`,
  diagnostics: (probeId: string) => `diagnostics-${probeId}`,
  alertDelivery: (alertId: string) => `alert-delivery-${alertId}`,
} as const;
