import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  generateRoster,
  type GenerateRosterOptions,
  type LinkDeclaration,
} from '../libs/domain/roster/generator';

/**
 * Writes a synthetic OneRoster 1.1 bulk export and prints the counts its import must produce, e.g.
 *   node dist/scripts/generate-roster.js --students 50000 --sections 2000 --guardians-per-student 1.5 \
 *     --out roster.zip --seed 1
 */

const USAGE = `usage: generate-roster --out <file.zip> [--students N] [--sections N] [--schools N]
  [--sections-per-student N] [--sections-per-teacher N] [--guardians-per-student X] [--co-teacher-rate P]
  [--sibling-rate P] [--languages en=0.7,es=0.2,vi=0.1] [--links student|guardian|both|mixed]
  [--disabled-rate P] [--aides-per-school N] [--administrators-per-school N] [--no-demographics] [--bom]
  [--seed N]`;

const NUMERIC_OPTIONS = {
  students: 'students',
  sections: 'sections',
  schools: 'schools',
  'sections-per-student': 'sectionsPerStudent',
  'sections-per-teacher': 'sectionsPerTeacher',
  'guardians-per-student': 'guardiansPerStudent',
  'co-teacher-rate': 'coTeacherRate',
  'sibling-rate': 'siblingRate',
  'disabled-rate': 'disabledUserRate',
  'aides-per-school': 'aidesPerSchool',
  'administrators-per-school': 'administratorsPerSchool',
  seed: 'seed',
} as const satisfies Record<string, keyof GenerateRosterOptions>;

const LINK_DECLARATIONS = ['student', 'guardian', 'both', 'mixed'] as const;

export class UsageError extends Error {}

const ARGUMENTS: NonNullable<ParseArgsConfig['options']> = {
  out: { type: 'string' },
  languages: { type: 'string' },
  links: { type: 'string' },
  'no-demographics': { type: 'boolean' },
  bom: { type: 'boolean' },
  ...Object.fromEntries(Object.keys(NUMERIC_OPTIONS).map((name) => [name, { type: 'string' as const }])),
};

export function parseGeneratorArgs(argv: string[]): { out: string; options: GenerateRosterOptions } {
  let values: ReturnType<typeof parseArgs>['values'];
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: ARGUMENTS }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out is required');

  const options: GenerateRosterOptions = {};
  for (const [flag, option] of Object.entries(NUMERIC_OPTIONS)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) {
      throw new UsageError(`--${flag} must be a number`);
    }
    options[option] = value;
  }
  if (typeof values.languages === 'string') options.guardianLanguages = parseLanguages(values.languages);
  if (typeof values.links === 'string') {
    const links = values.links;
    if (!(LINK_DECLARATIONS as readonly string[]).includes(links)) {
      throw new UsageError(`--links must be one of ${LINK_DECLARATIONS.join(', ')}`);
    }
    options.linkDeclaration = links as LinkDeclaration | 'mixed';
  }
  if (values['no-demographics'] === true) options.demographics = false;
  if (values.bom === true) options.bom = true;
  return { out: values.out, options };
}

function parseLanguages(spec: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const pair of spec.split(',')) {
    const [language, weight] = pair.split('=');
    const value = Number(weight);
    if (!language || !Number.isFinite(value) || value < 0) {
      throw new UsageError(`--languages takes code=weight pairs such as en=0.7,es=0.3, not '${pair}'`);
    }
    weights[language.trim()] = value;
  }
  return weights;
}

function main(): void {
  try {
    const { out, options } = parseGeneratorArgs(process.argv.slice(2));
    const roster = generateRoster(options);
    writeFileSync(out, roster.zip);
    process.stdout.write(`${JSON.stringify(roster.expected)}\n`);
  } catch (error) {
    const usage = error instanceof UsageError;
    process.stderr.write(`generate-roster: ${(error as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
    process.exit(usage ? 2 : 1);
  }
}

if (require.main === module) main();
