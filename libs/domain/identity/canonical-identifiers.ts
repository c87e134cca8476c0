/**
 * The one spelling of a sign-in identifier that every limit and every lookup uses, so that no other
 * spelling of the same account gets a fresh set of attempts or misses a stored row.
 *
 * - District ids are UUIDs: surrounding whitespace is dropped and the hex digits lower-cased (UUIDs
 *   are case-insensitive by RFC 9562; PostgreSQL prints them in lower case).
 * - Usernames: Unicode NFC, then surrounding whitespace (Unicode White_Space) dropped. Letter case is
 *   kept: the roster and the operator command store usernames as given and the database keeps them
 *   unique case-sensitively, so two accounts may legitimately differ only in case. "Teacher" and
 *   "teacher" are then two accounts with two counters, and guessing one spelling never touches the
 *   other's limit or lookup.
 *
 * Control characters are not removed here: they are refused with 400 before anything is looked up.
 */
export function canonicalDistrictId(districtId: string): string {
  return districtId.trim().toLowerCase();
}

export function canonicalUsername(username: string): string {
  return username.normalize('NFC').trim();
}
