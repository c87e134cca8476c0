export { diagnosticsWorkflow } from './diagnostics.workflow';
export { announcementFanOutWorkflow, announcementProgressQuery } from './announcement-fan-out.workflow';
export { attachmentScanWorkflow } from './attachment-scan.workflow';
export { attachmentRetentionWorkflow } from './attachment-retention.workflow';
export { rosterImportWorkflow, rosterImportProgressQuery } from './roster-import.workflow';
export { rosterDropFolderWorkflow } from './roster-drop-folder.workflow';
export { translationWorkflow } from './translation.workflow';
export { rosterApiWorkflow } from './roster-api.workflow';
export { alertDeliveryWorkflow } from './alert-delivery.workflow';
