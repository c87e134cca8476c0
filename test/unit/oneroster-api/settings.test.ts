import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OneRosterSecretMissingError,
  OneRosterSourceInvalidError,
  resolveSecret,
  validateOneRosterSource,
} from '../../../libs/adapters/oneroster-api';

const VALID = {
  baseUrl: 'https://sis.example.org/ims/oneroster/v1p1',
  tokenUrl: 'https://sis.example.org/oauth/token',
  clientId: 'homeroom',
  secretRef: 'env:ROSTER_API_SECRET_DISTRICT_7',
  schedule: '0 2 * * *',
};

function problems(input: unknown, environment: 'local' | 'test' | 'production'): string[] {
  try {
    validateOneRosterSource(input, environment);
    return [];
  } catch (error) {
    if (!(error instanceof OneRosterSourceInvalidError)) throw error;
    return error.problems;
  }
}

describe('OneRoster REST source settings', () => {
  it('when every field is valid, then the settings are accepted as given', () => {
    expect(validateOneRosterSource(VALID, 'production')).toEqual(VALID);
    expect(validateOneRosterSource({ ...VALID, secretRef: 'file:district-7' }, 'production').secretRef).toBe(
      'file:district-7',
    );
  });

  it('when an address uses plain http, then production refuses it and test allows it only on loopback', () => {
    const local = {
      ...VALID,
      baseUrl: 'http://127.0.0.1:8080/ims/oneroster/v1p1',
      tokenUrl: 'http://localhost:8080/t',
    };
    expect(problems(local, 'production')).toEqual(['baseUrl: must use https', 'tokenUrl: must use https']);
    expect(problems(local, 'test')).toEqual([]);
    expect(problems({ ...VALID, baseUrl: 'http://sis.example.org/ims' }, 'test')).toEqual([
      'baseUrl: must use https (plain http only to a loopback address, outside production)',
    ]);
  });

  it.each([
    [
      'a URL with credentials',
      { baseUrl: 'https://user:pw@sis.example.org/x' },
      'baseUrl: must not carry credentials',
    ],
    [
      'a URL with a query',
      { tokenUrl: 'https://sis.example.org/t?x=1' },
      'tokenUrl: must have no query or fragment',
    ],
    ['something that is no URL', { baseUrl: 'sis.example.org' }, 'baseUrl: must be an absolute URL'],
    ['a secret written in place of its reference', { secretRef: 's3cr3t-value' }, 'secretRef: must be env:'],
    ['a reference to any other variable', { secretRef: 'env:DATABASE_URL' }, 'secretRef: must be env:'],
    [
      'a client id with a control character',
      { clientId: 'a\u0000b' },
      'clientId: must not hold control characters',
    ],
    ['a schedule that is not cron', { schedule: 'nightly' }, 'schedule: must be a cron expression'],
  ])('when the settings hold %s, then they are refused naming the field', (_case, change, message) => {
    const found = problems({ ...VALID, ...change }, 'production');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it('when a secret reference is resolved, then only the named variable or secrets-file entry is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeroom-secrets-'));
    const secretsFile = join(dir, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ 'district-7': 'from-file' }));
    const env = { ROSTER_API_SECRET_DISTRICT_7: 'from-env', DATABASE_URL: 'postgres://secret' };
    expect(resolveSecret('env:ROSTER_API_SECRET_DISTRICT_7', { env, secretsFile })).toBe('from-env');
    expect(resolveSecret('file:district-7', { env, secretsFile })).toBe('from-file');
    expect(() => resolveSecret('env:DATABASE_URL', { env, secretsFile })).toThrow(
      OneRosterSecretMissingError,
    );
    expect(() => resolveSecret('env:ROSTER_API_SECRET_OTHER', { env, secretsFile })).toThrow(
      OneRosterSecretMissingError,
    );
    expect(() => resolveSecret('file:toString', { env, secretsFile })).toThrow(OneRosterSecretMissingError);
    expect(() => resolveSecret('file:district-7', { env, secretsFile: undefined })).toThrow(
      OneRosterSecretMissingError,
    );
  });
});
