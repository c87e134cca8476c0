import { type UserRole } from '../generated/enums';
import { type DbClient } from '../db-client';

export interface NewUser {
  role: UserRole;
  username?: string | null;
  givenName: string;
  familyName: string;
  email?: string | null;
  sourcedId?: string | null;
  schoolId?: string | null;
  preferredLanguage?: string;
}

const PROFILE = {
  id: true,
  districtId: true,
  role: true,
  sourcedId: true,
  username: true,
  givenName: true,
  familyName: true,
  preferredLanguage: true,
  active: true,
  schoolId: true,
} as const;

export class UserRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  create(user: NewUser): Promise<{ id: string }> {
    return this.prisma.user.create({ data: { ...user, districtId: this.districtId }, select: { id: true } });
  }

  findProfile(id: string) {
    return this.prisma.user.findFirst({ where: { id, districtId: this.districtId }, select: PROFILE });
  }

  findByUsername(username: string) {
    return this.prisma.user.findFirst({
      where: { username, districtId: this.districtId },
      select: { ...PROFILE, passwordHash: true, totpEnabled: true, totpSecretCiphertext: true },
    });
  }
}
