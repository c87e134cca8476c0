import { randomBytes, randomUUID } from 'node:crypto';
import { FieldCipher } from '../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { type MasterKeyEnv, parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import { Database } from '../../libs/db/database';
import { type UserRole } from '../../libs/db/types';
import { type NewUser } from '../../libs/db/repositories/user.repository';
import { issueInvitation } from '../../libs/identity/invitations';
import { hashPassword } from '../../libs/identity/passwords';
import { newTotpSecret, totpAt, totpStep } from '../../libs/identity/totp';
import { TotpSecretBox } from '../../libs/identity/totp-secrets';
import { testApiConfig } from './config';
import { rowsOf, testDatabaseUrl } from './database';
import { request } from './http';

/**
 * Data factories for tests against the real database. Each test makes its own district, so suites
 * running side by side never see each other's rows; every value that must be unique (usernames,
 * sourcedIds) gets a random suffix. Overrides win over defaults.
 *
 *   const { db, close } = openTestDatabase();
 *   const districtId = await createDistrict(db);
 *   const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher' });
 *   const token = await signIn(api.baseUrl, teacher);
 *   const admin = await createAdminWithTotp(db, districtId);
 *   const adminToken = await admin.signIn(api.baseUrl);
 */

export interface TestDatabase {
  db: Database;
  close(): Promise<void>;
}

/** A Database on the test database (DATABASE_URL); close it in afterAll. */
export function openTestDatabase(databaseUrl: string = testDatabaseUrl()): TestDatabase {
  const db = Database.open(databaseUrl, { poolSize: 4 });
  return { db, close: () => db.disconnect() };
}

/** A short random suffix for unique names. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

export async function createDistrict(
  db: Database,
  name = `Test district ${uniqueSuffix()}`,
): Promise<string> {
  return (await db.districts.create(name)).id;
}

export async function createSchool(
  db: Database,
  districtId: string,
  name = `School ${uniqueSuffix()}`,
): Promise<string> {
  const school = await rowsOf(db).school.create({
    data: { districtId, name, sourcedId: `sch-${uniqueSuffix()}` },
    select: { id: true },
  });
  return school.id;
}

export interface TestUser {
  id: string;
  districtId: string;
  role: UserRole;
  username: string;
  givenName: string;
  familyName: string;
  sourcedId: string | null;
  schoolId: string | null;
}

export type UserOverrides = Partial<NewUser> & { username?: string; active?: boolean };

/** A user without a password (as a roster import creates them); a teacher unless `role` says otherwise. */
export async function createUser(
  db: Database,
  districtId: string,
  overrides: UserOverrides = {},
): Promise<TestUser> {
  const { active = true, ...fields } = overrides;
  const suffix = uniqueSuffix();
  const user: NewUser & { username: string } = {
    role: 'teacher',
    givenName: 'Test',
    familyName: `User-${suffix}`,
    sourcedId: `usr-${suffix}`,
    ...fields,
    username: fields.username ?? `user-${suffix}`,
  };
  const tenant = db.forDistrict(districtId);
  const { id } = await tenant.users.create(user);
  if (!active) await tenant.users.deactivate(id, new Date());
  return {
    id,
    districtId,
    role: user.role,
    username: user.username,
    givenName: user.givenName,
    familyName: user.familyName,
    sourcedId: user.sourcedId ?? null,
    schoolId: user.schoolId ?? null,
  };
}

/** A password that passes the policy: long, random, not on the common list. */
export function strongPassword(): string {
  return `Tq-${randomBytes(12).toString('base64url')}-9z`;
}

export type TestUserWithPassword = TestUser & { password: string };

/**
 * A user who can sign in with `password` at once (the hash is written directly, as if an invitation
 * had been accepted). Admin roles still need a TOTP secret to sign in: use {@link createAdminWithTotp}.
 */
export async function createActiveUserWithPassword(
  db: Database,
  districtId: string,
  overrides: UserOverrides & { password?: string } = {},
): Promise<TestUserWithPassword> {
  const { password = strongPassword(), ...userOverrides } = overrides;
  const user = await createUser(db, districtId, userOverrides);
  await db.forDistrict(districtId).users.setPassword(user.id, await hashPassword(password));
  return { ...user, password };
}

/** A single-use invitation for the user, issued as the CLI does (no issuer). */
export async function createInvitation(db: Database, districtId: string, userId: string) {
  return issueInvitation(db, districtId, {
    userId,
    issuedById: null,
    ttlHours: testApiConfig().INVITATION_TTL_HOURS,
  });
}

/**
 * A client address of the call's own, from the IPv6 documentation prefix with a random /64 (the API
 * throttles IPv6 per /64). The API trusts X-Forwarded-For from loopback, as behind a reverse proxy.
 */
export function randomClientAddress(): string {
  const [a, b] = [randomBytes(2).toString('hex'), randomBytes(2).toString('hex')];
  return `2001:db8:${a}:${b}::1`;
}

export interface SignInInput {
  districtId: string;
  username: string;
  password: string;
  totp?: string;
}

/**
 * Signs in through POST /v1/auth/login and returns the access token; fails the test with the
 * response when sign-in does not succeed. A random client address per call keeps tests clear of the
 * per-address rate limit that other suites' failed attempts count against.
 */
export async function signIn(
  baseUrl: string,
  input: SignInInput,
  options: { clientAddress?: string } = {},
): Promise<string> {
  const res = await request<{ accessToken?: string }>(baseUrl, 'POST', '/v1/auth/login', {
    json: {
      districtId: input.districtId,
      username: input.username,
      password: input.password,
      totp: input.totp,
    },
    headers: { 'x-forwarded-for': options.clientAddress ?? randomClientAddress() },
  });
  if (res.status !== 200 || !res.body.accessToken) {
    throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.accessToken;
}

export interface TestAdmin extends TestUserWithPassword {
  /** The raw TOTP secret, for tests that compute codes themselves (totpAt). */
  totpSecret: Buffer;
  /**
   * A code the server has not accepted yet. The server takes the current step and the one after it
   * and refuses any step it has seen; when both are used up this waits for the next 30-second step.
   */
  nextCode(): Promise<string>;
  /** Signs in with password and a fresh code; returns the access token. */
  signIn(baseUrl: string): Promise<string>;
}

/**
 * An admin (district_admin unless `role` says otherwise) with a password and an enabled TOTP secret,
 * sealed the way the API seals it, with the master keys from the environment (or `keys`).
 */
export async function createAdminWithTotp(
  db: Database,
  districtId: string,
  overrides: UserOverrides & { password?: string; keys?: MasterKeyEnv } = {},
): Promise<TestAdmin> {
  const { keys = testApiConfig(), ...userOverrides } = overrides;
  const admin = await createActiveUserWithPassword(db, districtId, {
    role: 'district_admin',
    ...userOverrides,
  });
  const totpSecret = newTotpSecret();
  const box = new TotpSecretBox(new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(keys))));
  const sealed = await box.seal(districtId, admin.id, totpSecret);
  await db.forDistrict(districtId).users.setTotpSecret(admin.id, { ...sealed, enabled: true });

  let lastStep = -1;
  const nextCode = async (): Promise<string> => {
    const current = totpStep(Date.now());
    const step = Math.max(lastStep + 1, current);
    if (step > current + 1) await sleep((step - 1) * 30_000 - Date.now() + 50);
    lastStep = step;
    return totpAt(totpSecret, step * 30_000);
  };
  return {
    ...admin,
    totpSecret,
    nextCode,
    signIn: async (baseUrl) => signIn(baseUrl, { ...admin, totp: await nextCode() }),
  };
}

/** Reads the district's audit log through its repository, oldest first. */
export async function auditEvents(db: Database, districtId: string) {
  return db.forDistrict(districtId).audit.list({ limit: 10_000 });
}

/** An id that names nothing, for 404 checks. */
export function unknownId(): string {
  return randomUUID();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
