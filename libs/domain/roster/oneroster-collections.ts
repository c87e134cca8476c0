/** The collections of the OneRoster 1.1 REST binding a roster import pages through, in import order. */
export const ONEROSTER_COLLECTIONS = ['orgs', 'academicSessions', 'classes', 'users', 'enrollments'] as const;
export type OneRosterCollection = (typeof ONEROSTER_COLLECTIONS)[number];
