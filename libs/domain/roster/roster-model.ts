import type { OneRosterEnrollmentRole, OneRosterUserRole } from './oneroster-spec';
import { createPrng, type Prng } from './prng';

/**
 * A synthetic district at OneRoster level: what the SIS knows, before Homeroom's projection. The
 * generator writes it as CSV; tests mutate it and write it again (bulk) or diff two of them (delta).
 * Guardian links are kept as facts with the side that declares them, so the expected snapshot does not
 * depend on the parser's union of agentSourcedIds.
 */
export interface RosterModel {
  orgs: ModelOrg[];
  term: ModelTerm;
  courses: ModelCourse[];
  sections: ModelSection[];
  users: ModelUser[];
  enrollments: ModelEnrollment[];
  guardianLinks: ModelGuardianLink[];
  format: RosterFormat;
}

export interface RosterFormat {
  /** Start every CSV with a UTF-8 byte order mark. */
  bom: boolean;
  /** Ship a demographics.csv full of junk that must never reach the snapshot. */
  demographics: boolean;
}

export interface ModelOrg {
  sourcedId: string;
  name: string;
  type: 'district' | 'school';
  parentSourcedId: string | null;
}

export interface ModelTerm {
  sourcedId: string;
  title: string;
  startDate: string;
  endDate: string;
  schoolYear: string;
}

export interface ModelCourse {
  sourcedId: string;
  title: string;
  schoolSourcedId: string;
}

export interface ModelSection {
  sourcedId: string;
  title: string;
  courseSourcedId: string;
  schoolSourcedId: string;
}

export interface ModelUser {
  sourcedId: string;
  role: OneRosterUserRole;
  enabled: boolean;
  orgSourcedIds: string[];
  username: string;
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
  grades: string | null;
  preferredLanguage: string | null;
}

export interface ModelEnrollment {
  sourcedId: string;
  sectionSourcedId: string;
  schoolSourcedId: string;
  userSourcedId: string;
  role: OneRosterEnrollmentRole;
  primary: boolean;
}

export type LinkDeclaration = 'student' | 'guardian' | 'both';

export interface ModelGuardianLink {
  guardianSourcedId: string;
  studentSourcedId: string;
  /** Whose row lists the other in agentSourcedIds. */
  declaredOn: LinkDeclaration;
}

export interface GenerateRosterOptions {
  /** Default 1. */
  seed?: number;
  /** Default 1. */
  schools?: number;
  /** Total sections, spread evenly over the schools. Default: schools × sectionsPerSchool. */
  sections?: number;
  /** Used when `sections` is not given. Default 10. */
  sectionsPerSchool?: number;
  /** Total students, spread evenly over the schools. Default: sections × studentsPerSection ÷ sectionsPerStudent. */
  students?: number;
  /** Used when `students` is not given. Default 25. */
  studentsPerSection?: number;
  /** Distinct sections of their school each student is enrolled in. Default 2. */
  sectionsPerStudent?: number;
  /** Sections led by one teacher. Default 4. */
  sectionsPerTeacher?: number;
  /** Probability that a section also has a co-teacher (non-primary). Default 0.1. */
  coTeacherRate?: number;
  /** Average guardians per family; fractions alternate (1.5 → 1, 2, 1, 2…). Default 1.5. */
  guardiansPerStudent?: number;
  /** Probability that a student is the sibling of the previous one and shares their guardians. Default 0.1. */
  siblingRate?: number;
  /** Guardians' `metadata.preferredLanguage` by weight; weights summing below 1 leave the rest blank. */
  guardianLanguages?: Readonly<Record<string, number>>;
  /** Where links are declared; `mixed` draws one of the three per link. Default `mixed`. */
  linkDeclaration?: LinkDeclaration | 'mixed';
  /** Probability that a user has enabledUser=false. Default 0. */
  disabledUserRate?: number;
  /** Aides per school, each with a proctor enrollment (no account, no membership). Default 0. */
  aidesPerSchool?: number;
  /** SIS administrators per school, each with an administrator enrollment (no account). Default 0. */
  administratorsPerSchool?: number;
  /** Default true. */
  demographics?: boolean;
  /** Default false. */
  bom?: boolean;
}

const GIVEN_NAMES = [
  'Ana',
  'José',
  'Mai',
  'Liam',
  'Zoë',
  'Nguyễn Văn',
  "D'Andre",
  'Fatima',
  'Kwame',
  'Olivia',
];
const FAMILY_NAMES = [
  'Smith',
  'García',
  'Nguyen',
  'Smith, Jr.',
  'Chen "CJ"',
  "O'Brien",
  'Müller',
  'Okafor',
  'Lee',
];
const GUARDIAN_SIS_ROLES: Readonly<Record<string, number>> = { parent: 0.8, guardian: 0.15, relative: 0.05 };
const DEFAULT_LANGUAGES: Readonly<Record<string, number>> = { en: 0.7, es: 0.2, vi: 0.1 };

export const DISTRICT_SOURCED_ID = 'org-district';

export function generateRosterModel(options: GenerateRosterOptions = {}): RosterModel {
  const settings = resolveOptions(options);
  const rng = createPrng(settings.seed);
  const model: RosterModel = {
    orgs: [
      { sourcedId: DISTRICT_SOURCED_ID, name: 'Synthetic Unified', type: 'district', parentSourcedId: null },
    ],
    term: {
      sourcedId: 'term-2025',
      title: '2025-2026',
      startDate: '2025-08-18',
      endDate: '2026-06-12',
      schoolYear: '2026',
    },
    courses: [],
    sections: [],
    users: [],
    enrollments: [],
    guardianLinks: [],
    format: { bom: settings.bom, demographics: settings.demographics },
  };
  const counters = {
    teacher: 0,
    student: 0,
    guardian: 0,
    aide: 0,
    administrator: 0,
    enrollment: 0,
    family: 0,
  };

  for (let school = 0; school < settings.schools; school++) {
    const schoolId = `sch-${school + 1}`;
    model.orgs.push({
      sourcedId: schoolId,
      name: `School ${school + 1}`,
      type: 'school',
      parentSourcedId: DISTRICT_SOURCED_ID,
    });
    const sections = addSections(model, schoolId, share(settings.sections, settings.schools, school));
    const person = (
      role: OneRosterUserRole,
      prefix: string,
      number: number,
      extra: Partial<ModelUser> = {},
    ) =>
      addUser(model, rng, settings, {
        role,
        sourcedId: `${prefix}-${number}`,
        username: `${prefix}${number}`,
        schoolId,
        ...extra,
      });
    const enroll = (
      userSourcedId: string,
      sectionSourcedId: string,
      role: OneRosterEnrollmentRole,
      primary = false,
    ) =>
      model.enrollments.push({
        sourcedId: `enr-${++counters.enrollment}`,
        sectionSourcedId,
        schoolSourcedId: schoolId,
        userSourcedId,
        role,
        primary,
      });

    const teachers = Array.from({ length: Math.ceil(sections.length / settings.sectionsPerTeacher) }, () =>
      person('teacher', 'tch', ++counters.teacher, { email: `t${counters.teacher}@schools.example.org` }),
    );
    sections.forEach((section, index) => {
      enroll(teachers[index % teachers.length].sourcedId, section.sourcedId, 'teacher', true);
      if (teachers.length > 1 && rng.chance(settings.coTeacherRate)) {
        enroll(teachers[(index + 1) % teachers.length].sourcedId, section.sourcedId, 'teacher');
      }
    });
    for (let aide = 0; aide < settings.aidesPerSchool; aide++) {
      enroll(person('aide', 'aid', ++counters.aide).sourcedId, sections[0].sourcedId, 'proctor');
    }
    for (let admin = 0; admin < settings.administratorsPerSchool; admin++) {
      enroll(
        person('administrator', 'adm', ++counters.administrator).sourcedId,
        sections[0].sourcedId,
        'administrator',
      );
    }

    let family: ModelUser[] = [];
    const studentsHere = share(settings.students, settings.schools, school);
    for (let index = 0; index < studentsHere; index++) {
      const number = ++counters.student;
      const student = person('student', 'stu', number, {
        email: `s${number}@students.example.org`,
        grades: String(1 + (number % 12)).padStart(2, '0'),
      });
      for (const sectionIndex of rng.distinct(settings.sectionsPerStudent, sections.length)) {
        enroll(student.sourcedId, sections[sectionIndex].sourcedId, 'student');
      }
      const sibling = index > 0 && family.length > 0 && rng.chance(settings.siblingRate);
      if (!sibling) {
        const familyIndex = counters.family++;
        const size =
          Math.floor((familyIndex + 1) * settings.guardiansPerStudent) -
          Math.floor(familyIndex * settings.guardiansPerStudent);
        family = Array.from({ length: size }, () => {
          const guardianNumber = ++counters.guardian;
          const sisRole = (rng.weighted(GUARDIAN_SIS_ROLES) ?? 'parent') as OneRosterUserRole;
          return person(sisRole, 'gdn', guardianNumber, {
            email: guardianNumber % 10 === 0 ? null : `g${guardianNumber}@families.example.net`,
            phone: `555-01${String(guardianNumber % 100).padStart(2, '0')}`,
            preferredLanguage: rng.weighted(settings.guardianLanguages),
          });
        });
      }
      for (const guardian of family) {
        model.guardianLinks.push({
          guardianSourcedId: guardian.sourcedId,
          studentSourcedId: student.sourcedId,
          declaredOn: declaration(rng, settings.linkDeclaration),
        });
      }
    }
  }
  return model;
}

type Settings = Required<GenerateRosterOptions>;

function resolveOptions(options: GenerateRosterOptions): Settings {
  const schools = options.schools ?? 1;
  const sections = options.sections ?? schools * (options.sectionsPerSchool ?? 10);
  const sectionsPerStudent = options.sectionsPerStudent ?? 2;
  const settings: Settings = {
    seed: options.seed ?? 1,
    schools,
    sections,
    sectionsPerSchool: Math.ceil(sections / schools),
    students:
      options.students ?? Math.ceil((sections * (options.studentsPerSection ?? 25)) / sectionsPerStudent),
    studentsPerSection: options.studentsPerSection ?? 25,
    sectionsPerStudent,
    sectionsPerTeacher: options.sectionsPerTeacher ?? 4,
    coTeacherRate: options.coTeacherRate ?? 0.1,
    guardiansPerStudent: options.guardiansPerStudent ?? 1.5,
    siblingRate: options.siblingRate ?? 0.1,
    guardianLanguages: options.guardianLanguages ?? DEFAULT_LANGUAGES,
    linkDeclaration: options.linkDeclaration ?? 'mixed',
    disabledUserRate: options.disabledUserRate ?? 0,
    aidesPerSchool: options.aidesPerSchool ?? 0,
    administratorsPerSchool: options.administratorsPerSchool ?? 0,
    demographics: options.demographics ?? true,
    bom: options.bom ?? false,
  };
  if (!Number.isInteger(schools) || schools < 1) throw new RangeError('schools must be a positive integer');
  if (!Number.isInteger(sections) || sections < schools) throw new RangeError('every school needs a section');
  for (const name of [
    'students',
    'sectionsPerStudent',
    'aidesPerSchool',
    'administratorsPerSchool',
  ] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 0)
      throw new RangeError(`${name} must be a whole number`);
  }
  if (!Number.isInteger(settings.sectionsPerTeacher) || settings.sectionsPerTeacher < 1) {
    throw new RangeError('sectionsPerTeacher must be a positive integer');
  }
  if (!(settings.guardiansPerStudent >= 0)) throw new RangeError('guardiansPerStudent must not be negative');
  return settings;
}

/** Item `index` of `total` split into `parts` as evenly as possible. */
function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

function addSections(model: RosterModel, schoolId: string, count: number): ModelSection[] {
  const sections: ModelSection[] = [];
  for (let index = 0; index < count; index++) {
    const number = model.sections.length + 1;
    if (index % 4 === 0) {
      model.courses.push({
        sourcedId: `crs-${number}`,
        title: `Course ${number}`,
        schoolSourcedId: schoolId,
      });
    }
    const section: ModelSection = {
      sourcedId: `cls-${number}`,
      title: `Section ${number}, period ${1 + (index % 7)}`,
      courseSourcedId: model.courses[model.courses.length - 1].sourcedId,
      schoolSourcedId: schoolId,
    };
    model.sections.push(section);
    sections.push(section);
  }
  return sections;
}

function addUser(
  model: RosterModel,
  rng: Prng,
  settings: Settings,
  person: Partial<ModelUser> & Pick<ModelUser, 'role' | 'sourcedId' | 'username'> & { schoolId: string },
): ModelUser {
  const { schoolId, ...fields } = person;
  const user: ModelUser = {
    enabled: !rng.chance(settings.disabledUserRate),
    orgSourcedIds: [schoolId],
    givenName: GIVEN_NAMES[rng.below(GIVEN_NAMES.length)],
    familyName: FAMILY_NAMES[rng.below(FAMILY_NAMES.length)],
    email: null,
    phone: null,
    grades: null,
    preferredLanguage: null,
    ...fields,
  };
  model.users.push(user);
  return user;
}

function declaration(rng: Prng, setting: LinkDeclaration | 'mixed'): LinkDeclaration {
  if (setting !== 'mixed') return setting;
  const sides: LinkDeclaration[] = ['student', 'guardian', 'both'];
  return sides[rng.below(sides.length)];
}
