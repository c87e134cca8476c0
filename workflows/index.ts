export { diagnosticsWorkflow } from './diagnostics.workflow';
export { announcementFanOutWorkflow, announcementProgressQuery } from './announcement-fan-out.workflow';
