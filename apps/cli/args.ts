import { ValidationFailedError } from '../../libs/domain/errors/domain-errors';
import { isUuid } from '../../libs/domain/ids/uuid';

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string>;
  /** Every value of each flag, in order, for the options that may be given more than once. */
  repeated: Record<string, string[]>;
}

/** `--name value` and `--name=value`; every flag takes a value, so a typo cannot be read as a switch. */
export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string> = {};
  const repeated: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (!name || value === undefined || value.startsWith('--')) {
      throw new ValidationFailedError(`Option --${name} needs a value.`);
    }
    flags[name] = value;
    (repeated[name] ??= []).push(value);
  }
  return { positionals, flags, repeated };
}

export function requireFlag(args: ParsedArgs, name: string): string {
  const value = args.flags[name];
  if (!value) throw new ValidationFailedError(`Missing required option --${name}.`);
  return value;
}

/** The flag's value, which must be a UUID (lower-cased). */
export function requireUuidFlag(args: ParsedArgs, name: string): string {
  const value = requireFlag(args, name);
  if (!isUuid(value)) throw new ValidationFailedError(`--${name} must be a UUID.`);
  return value.toLowerCase();
}
