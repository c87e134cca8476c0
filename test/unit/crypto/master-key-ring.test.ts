import { KeyConfigError } from '../../../libs/crypto/errors';
import { parseMasterKeyRing } from '../../../libs/crypto/master-key-ring';
import { randomKey } from '../../support/keys';

describe('parseMasterKeyRing', () => {
  const keyA = randomKey();
  const keyB = randomKey();
  const a = keyA.toString('base64');
  const b = keyB.toString('base64');

  it('when MASTER_KEYS lists several keys, then every key is decoded and the active id is kept', () => {
    const ring = parseMasterKeyRing({
      MASTER_KEYS: ` mk-2024:${a} , mk-2025:${b} `,
      ACTIVE_MASTER_KEY_ID: 'mk-2025',
    });

    expect(ring.activeKeyId).toBe('mk-2025');
    expect([...ring.keys.keys()]).toEqual(['mk-2024', 'mk-2025']);
    expect(ring.keys.get('mk-2024')).toEqual(keyA);
    expect(ring.keys.get('mk-2025')).toEqual(keyB);
  });

  it.each([
    ['MASTER_KEYS is missing', 'MASTER_KEYS', { ACTIVE_MASTER_KEY_ID: 'mk' }, /required/],
    ['MASTER_KEYS is blank', 'MASTER_KEYS', { MASTER_KEYS: ' , ', ACTIVE_MASTER_KEY_ID: 'mk' }, /required/],
    [
      'an entry has no id',
      'MASTER_KEYS',
      { MASTER_KEYS: a, ACTIVE_MASTER_KEY_ID: 'mk' },
      /entry 1 must look like id:base64key/,
    ],
    [
      'an entry has an empty key',
      'MASTER_KEYS',
      { MASTER_KEYS: 'mk:', ACTIVE_MASTER_KEY_ID: 'mk' },
      /key "mk" is required/,
    ],
    [
      'a key is 16 bytes',
      'MASTER_KEYS',
      { MASTER_KEYS: `mk:${randomKey().subarray(0, 16).toString('base64')}`, ACTIVE_MASTER_KEY_ID: 'mk' },
      /key "mk" must decode to exactly 32 bytes, got 16/,
    ],
    [
      'a key is not base64',
      'MASTER_KEYS',
      { MASTER_KEYS: `mk:${a.slice(0, 40)}-_-_`, ACTIVE_MASTER_KEY_ID: 'mk' },
      /not valid base64/,
    ],
    [
      'an id is repeated',
      'MASTER_KEYS',
      { MASTER_KEYS: `mk:${a},mk:${b}`, ACTIVE_MASTER_KEY_ID: 'mk' },
      /"mk" appears more than once/,
    ],
    [
      'an id has a space',
      'MASTER_KEYS',
      { MASTER_KEYS: `m k:${a}`, ACTIVE_MASTER_KEY_ID: 'm k' },
      /key id "m k"/,
    ],
    ['ACTIVE_MASTER_KEY_ID is missing', 'ACTIVE_MASTER_KEY_ID', { MASTER_KEYS: `mk:${a}` }, /required/],
    [
      'ACTIVE_MASTER_KEY_ID names no configured key',
      'ACTIVE_MASTER_KEY_ID',
      { MASTER_KEYS: `mk:${a}`, ACTIVE_MASTER_KEY_ID: 'other' },
      /"other" is not one of the key ids in MASTER_KEYS \(mk\)/,
    ],
  ])('when %s, then parsing fails naming %s', (_case, variable, env, problem) => {
    let error: unknown;
    try {
      parseMasterKeyRing(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KeyConfigError);
    expect((error as KeyConfigError).variable).toBe(variable);
    expect((error as KeyConfigError).message).toMatch(new RegExp(`^${variable}: `));
    expect((error as KeyConfigError).message).toMatch(problem);
    expect((error as KeyConfigError).message).not.toContain(a);
  });
});
