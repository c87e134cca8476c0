import type {
  RosterSchoolRow,
  RosterSectionRow,
  SectionValues,
} from '../../db/repositories/roster-sync.repository';
import type { RosterSection, RosterSnapshot } from '../../domain/roster';
import { bySourcedId, required } from './roster-state';

export interface SectionPlan {
  create: SectionValues[];
  /** Retitled, moved to another school, or back after having been removed. */
  update: (SectionValues & { id: string })[];
}

export function sectionsOf(snapshot: RosterSnapshot): readonly RosterSection[] {
  return snapshot.kind === 'bulk' ? snapshot.sections : snapshot.upserts.sections;
}

/** Runs after the schools phase, so every school a section names is in the database. */
export function diffSections(
  snapshot: RosterSnapshot,
  current: { schools: readonly RosterSchoolRow[]; sections: readonly RosterSectionRow[] },
): SectionPlan {
  const schools = bySourcedId(current.schools);
  const existing = bySourcedId(current.sections);
  const plan: SectionPlan = { create: [], update: [] };
  for (const section of sectionsOf(snapshot)) {
    const school = required(schools.get(section.schoolSourcedId), `school ${section.schoolSourcedId}`);
    const values = { sourcedId: section.sourcedId, schoolId: school.id, title: section.title };
    const row = existing.get(section.sourcedId);
    if (!row) plan.create.push(values);
    else if (row.title !== values.title || row.schoolId !== values.schoolId || !row.active) {
      plan.update.push({ ...values, id: row.id });
    }
  }
  return plan;
}
