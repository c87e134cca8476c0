/** What a translation belongs to: one message or one announcement. */
export type SubjectKind = 'message' | 'announcement';

export const SUBJECT_KINDS: readonly SubjectKind[] = ['message', 'announcement'];

export interface TranslationSubject {
  kind: SubjectKind;
  id: string;
}

/**
 * The AAD of a message or announcement body: the messaging repositories seal bodies with exactly this
 * (`message:<id>`, `announcement:<id>`), so translation can open them.
 */
export function subjectBodyAad(subject: TranslationSubject): string {
  return `${subject.kind}:${subject.id}`;
}

/**
 * The AAD of a stored translation names subject and language, so a translation copied onto another
 * message, or relabelled as another language, fails to decrypt instead of being shown.
 */
export function translationBodyAad(subject: TranslationSubject, language: string): string {
  return `translation:${subject.kind}:${subject.id}:${language}`;
}
