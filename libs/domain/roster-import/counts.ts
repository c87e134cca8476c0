/**
 * What an import changed, counter by counter. The first eight are the API contract's; the others say
 * what else moved (schools, section updates and removals, enrollment changes). Each applied batch adds
 * its own numbers in its own transaction, so the totals are exact across crashes and retries.
 */
export const ROSTER_IMPORT_COUNT_KEYS = [
  'usersCreated',
  'usersUpdated',
  'usersRemoved',
  'sectionsCreated',
  'enrollmentsAdded',
  'enrollmentsRemoved',
  'guardianLinksAdded',
  'guardianLinksRemoved',
  'schoolsCreated',
  'schoolsUpdated',
  'schoolsRemoved',
  'sectionsUpdated',
  'sectionsRemoved',
  'enrollmentsUpdated',
] as const;

export type RosterImportCountKey = (typeof ROSTER_IMPORT_COUNT_KEYS)[number];
export type RosterImportCounts = Record<RosterImportCountKey, number>;

export function emptyCounts(): RosterImportCounts {
  return Object.fromEntries(ROSTER_IMPORT_COUNT_KEYS.map((key) => [key, 0])) as RosterImportCounts;
}

/** The counters stored on an import row (a JSON object), every one present, unknown keys dropped. */
export function readCounts(stored: unknown): RosterImportCounts {
  const counts = emptyCounts();
  if (typeof stored !== 'object' || stored === null) return counts;
  for (const key of ROSTER_IMPORT_COUNT_KEYS) {
    const value = (stored as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isFinite(value)) counts[key] = value;
  }
  return counts;
}

/** How many errors a refused export had in all; the stored list is capped. */
export function readErrorsFound(stored: unknown): number | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const value = (stored as Record<string, unknown>).errorsFound;
  return typeof value === 'number' ? value : null;
}
