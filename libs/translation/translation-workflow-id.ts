import { type SubjectKind } from '../domain/translation/translation-subject';

/**
 * The translation workflow's id: one per subject, so starting it again while it runs attaches to the
 * running one. Free of imports other than types, so workflows (the fan-out's child start) can use it.
 */
export function translationWorkflowId(kind: SubjectKind, subjectId: string): string {
  return `translation-${kind}-${subjectId}`;
}
