import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes operators filter on in the Temporal UI. They carry ids only — never names or text.
 * scripts/env.sh registers the same names on the local dev server; keep both lists in step.
 */
export const DISTRICT_ID = defineSearchAttributeKey('DistrictId', SearchAttributeType.KEYWORD);
export const ANNOUNCEMENT_ID = defineSearchAttributeKey('AnnouncementId', SearchAttributeType.KEYWORD);
export const ATTACHMENT_ID = defineSearchAttributeKey('AttachmentId', SearchAttributeType.KEYWORD);
export const ROSTER_IMPORT_ID = defineSearchAttributeKey('RosterImportId', SearchAttributeType.KEYWORD);
