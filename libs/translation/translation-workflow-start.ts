import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { DISTRICT_ID } from '../adapters/temporal/search-attributes';
import { type SubjectKind } from '../domain/translation/translation-subject';
import { translationWorkflowId } from './translation-workflow-id';

export interface TranslationWorkflowRef {
  districtId: string;
  subjectKind: SubjectKind;
  subjectId: string;
}

/**
 * Starts (or attaches to) the translation workflow of one message or announcement, from the API or any
 * other Temporal client. A run that already finished may run again: it finds the stored translations
 * and asks the provider only for languages still missing (a reader who changed language since).
 * Returns the workflow id.
 */
export async function startTranslationWorkflow(
  client: Client,
  taskQueue: string,
  ref: TranslationWorkflowRef,
): Promise<string> {
  const workflowId = translationWorkflowId(ref.subjectKind, ref.subjectId);
  try {
    await client.workflow.start('translationWorkflow', {
      taskQueue,
      workflowId,
      args: [ref],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [{ key: DISTRICT_ID, value: ref.districtId }],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return workflowId;
}
