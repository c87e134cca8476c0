import type { RosterSchoolRow, SchoolValues } from '../../db/repositories/roster-sync.repository';
import type { RosterSchool, RosterSnapshot } from '../../domain/roster';
import { bySourcedId } from './roster-state';

export interface SchoolPlan {
  create: SchoolValues[];
  /** Renamed, or back after having been removed. */
  update: (SchoolValues & { id: string })[];
}

export function schoolsOf(snapshot: RosterSnapshot): readonly RosterSchool[] {
  return snapshot.kind === 'bulk' ? snapshot.schools : snapshot.upserts.schools;
}

export function diffSchools(snapshot: RosterSnapshot, current: readonly RosterSchoolRow[]): SchoolPlan {
  const existing = bySourcedId(current);
  const plan: SchoolPlan = { create: [], update: [] };
  for (const school of schoolsOf(snapshot)) {
    const values = { sourcedId: school.sourcedId, name: school.name };
    const row = existing.get(school.sourcedId);
    if (!row) plan.create.push(values);
    else if (row.name !== school.name || !row.active) plan.update.push({ ...values, id: row.id });
  }
  return plan;
}
