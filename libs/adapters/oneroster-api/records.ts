import { z } from 'zod';
import { COLUMNS, PREFERRED_LANGUAGE_COLUMN } from '../../domain/roster/oneroster-spec';

import { type OneRosterCollection } from '../../domain/roster/oneroster-collections';

export { ONEROSTER_COLLECTIONS, type OneRosterCollection } from '../../domain/roster/oneroster-collections';

/** The CSV header the mapped rows of a collection follow (users carry the preferred-language extension). */
export function collectionHeader(collection: OneRosterCollection): readonly string[] {
  return collection === 'users' ? [...COLUMNS.users, PREFERRED_LANGUAGE_COLUMN] : COLUMNS[collection];
}

const MAX_TEXT = 1_024;
const MAX_LIST = 1_000;

const text = z.string().max(MAX_TEXT);
const optionalText = text.nullish();
/** 1.1 JSON writes booleans as strings ("true"); some providers write JSON booleans. */
const booleanish = z.union([z.boolean(), z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'])]);
/** A GUIDRef: `href` is informational and never followed. */
const guidRef = z.object({ sourcedId: text.min(1), type: text.optional(), href: text.optional() });
const guidRefs = z.array(guidRef).max(MAX_LIST);
const base = {
  sourcedId: text.min(1),
  status: optionalText,
  dateLastModified: optionalText,
};

const orgSchema = z.object({
  ...base,
  name: optionalText,
  type: optionalText,
  identifier: optionalText,
  parent: guidRef.nullish(),
});

const academicSessionSchema = z.object({
  ...base,
  title: optionalText,
  type: optionalText,
  startDate: optionalText,
  endDate: optionalText,
  parent: guidRef.nullish(),
  schoolYear: z.union([text, z.number().int()]).nullish(),
});

const classSchema = z.object({
  ...base,
  title: optionalText,
  classCode: optionalText,
  classType: optionalText,
  location: optionalText,
  grades: z.array(text).max(MAX_LIST).nullish(),
  subjects: z.array(text).max(MAX_LIST).nullish(),
  subjectCodes: z.array(text).max(MAX_LIST).nullish(),
  periods: z.array(text).max(MAX_LIST).nullish(),
  course: guidRef.nullish(),
  school: guidRef.nullish(),
  terms: guidRefs.nullish(),
});

const userSchema = z.object({
  ...base,
  enabledUser: booleanish.nullish(),
  orgs: guidRefs.nullish(),
  role: optionalText,
  username: optionalText,
  givenName: optionalText,
  familyName: optionalText,
  middleName: optionalText,
  identifier: optionalText,
  email: optionalText,
  agents: guidRefs.nullish(),
  grades: z.array(text).max(MAX_LIST).nullish(),
  metadata: z.object({ preferredLanguage: optionalText }).nullish(),
});

const enrollmentSchema = z.object({
  ...base,
  class: guidRef.nullish(),
  school: guidRef.nullish(),
  user: guidRef.nullish(),
  role: optionalText,
  primary: booleanish.nullish(),
  beginDate: optionalText,
  endDate: optionalText,
});

type Org = z.infer<typeof orgSchema>;
type AcademicSession = z.infer<typeof academicSessionSchema>;
type Class = z.infer<typeof classSchema>;
type User = z.infer<typeof userSchema>;
type Enrollment = z.infer<typeof enrollmentSchema>;

const cell = (value: string | number | null | undefined): string => (value == null ? '' : String(value));
const list = (values: readonly string[] | null | undefined): string => (values ?? []).join(',');
const refs = (values: readonly { sourcedId: string }[] | null | undefined): string =>
  list(values?.map((ref) => ref.sourcedId));
const bool = (value: boolean | string | null | undefined): string =>
  value == null ? '' : String(value).toLowerCase();

/**
 * Each record as the CSV row (spec column order) that carries the same facts, so the REST path goes
 * through the CSV path's row readers: the same tolerances, the same per-row quarantine, the same
 * snapshot. Fields Homeroom never keeps (sms, phone, userIds, passwords, demographics) are not copied.
 */
const TO_ROW: { [C in OneRosterCollection]: (record: never) => string[] } = {
  orgs: (org: Org) => [
    org.sourcedId,
    cell(org.status),
    cell(org.dateLastModified),
    cell(org.name),
    cell(org.type),
    cell(org.identifier),
    cell(org.parent?.sourcedId),
  ],
  academicSessions: (session: AcademicSession) => [
    session.sourcedId,
    cell(session.status),
    cell(session.dateLastModified),
    cell(session.title),
    cell(session.type),
    cell(session.startDate),
    cell(session.endDate),
    cell(session.parent?.sourcedId),
    cell(session.schoolYear),
  ],
  classes: (klass: Class) => [
    klass.sourcedId,
    cell(klass.status),
    cell(klass.dateLastModified),
    cell(klass.title),
    list(klass.grades),
    cell(klass.course?.sourcedId),
    cell(klass.classCode),
    cell(klass.classType),
    cell(klass.location),
    cell(klass.school?.sourcedId),
    refs(klass.terms),
    list(klass.subjects),
    list(klass.subjectCodes),
    list(klass.periods),
  ],
  users: (user: User) => [
    user.sourcedId,
    cell(user.status),
    cell(user.dateLastModified),
    bool(user.enabledUser),
    refs(user.orgs),
    cell(user.role),
    cell(user.username),
    '',
    cell(user.givenName),
    cell(user.familyName),
    cell(user.middleName),
    cell(user.identifier),
    cell(user.email),
    '',
    '',
    refs(user.agents),
    list(user.grades),
    '',
    cell(user.metadata?.preferredLanguage),
  ],
  enrollments: (enrollment: Enrollment) => [
    enrollment.sourcedId,
    cell(enrollment.status),
    cell(enrollment.dateLastModified),
    cell(enrollment.class?.sourcedId),
    cell(enrollment.school?.sourcedId),
    cell(enrollment.user?.sourcedId),
    cell(enrollment.role),
    bool(enrollment.primary),
    cell(enrollment.beginDate),
    cell(enrollment.endDate),
  ],
};

const SCHEMAS: { [C in OneRosterCollection]: z.ZodType } = {
  orgs: orgSchema,
  academicSessions: academicSessionSchema,
  classes: classSchema,
  users: userSchema,
  enrollments: enrollmentSchema,
};

/** A response that is not the OneRoster 1.1 JSON of the collection asked for. */
export class OneRosterResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OneRosterResponseError';
  }
}

/**
 * Validates one page (`{ "<collection>": [ … ] }`) and maps it onto CSV rows. A record with the wrong
 * shape refuses the whole page: a provider sending malformed JSON is broken, not a row to quarantine
 * (the row readers quarantine rows whose *values* make no sense, as they do for CSV). Messages name
 * the record's index and field, never its values.
 */
export function pageRows(collection: OneRosterCollection, body: unknown, maxRecords: number): string[][] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OneRosterResponseError(`the ${collection} response is not a JSON object`);
  }
  const records = (body as Record<string, unknown>)[collection];
  if (!Array.isArray(records)) {
    throw new OneRosterResponseError(`the ${collection} response has no "${collection}" array`);
  }
  if (records.length > maxRecords) {
    throw new OneRosterResponseError(
      `the ${collection} response holds ${records.length} records, more than the ${maxRecords} asked for`,
    );
  }
  const schema = SCHEMAS[collection];
  const toRow = TO_ROW[collection] as (record: unknown) => string[];
  return records.map((record, index) => {
    const parsed = schema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || '(record)';
      throw new OneRosterResponseError(
        `${collection}[${index}] is not a OneRoster 1.1 record: ${field}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return toRow(parsed.data);
  });
}
