import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';

const FIXTURES = join(__dirname, '..', 'fixtures', 'oneroster');

/** The OneRoster CSV sets of test/fixtures/oneroster (see its README for where each comes from). */
export type FixtureSet =
  | 'v1.1-vendor-quirks'
  | 'v1.0-no-manifest'
  | 'v1.2-roles'
  | 'v1.1-mixed-names-long-row'
  | 'invalid-missing-enrollments';

/**
 * Zips one fixture set as a district would upload it, the files at the root. `edits` rewrite a file's
 * text before zipping (null leaves the file out), for tests that need a next day's export.
 */
export function fixtureZip(
  set: FixtureSet,
  edits: Readonly<Record<string, (text: string) => string | null>> = {},
): Uint8Array {
  const directory = join(FIXTURES, set);
  const files: Zippable = {};
  for (const name of readdirSync(directory)) {
    const text = readFileSync(join(directory, name), 'utf8');
    const edited = edits[name] ? edits[name](text) : text;
    if (edited !== null) files[name] = strToU8(edited);
  }
  return zipSync(files, { level: 6 });
}

/** Drops the CSV lines whose first cell is one of `sourcedIds` (fixture files have no multi-line cells). */
export function withoutRows(...sourcedIds: string[]): (text: string) => string {
  const dropped = new Set(sourcedIds);
  return (text) =>
    text
      .split('\n')
      .filter((line) => !dropped.has(line.split(',')[0]))
      .join('\n');
}
