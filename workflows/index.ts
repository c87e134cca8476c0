export { diagnosticsWorkflow } from './diagnostics.workflow';
