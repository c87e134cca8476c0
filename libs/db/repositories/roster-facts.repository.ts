import { type RosterFacts } from '../../domain/policy';
import { type DbClient } from '../db-client';

/**
 * Loads, per request, the slice of the current roster that a policy decision needs — the SQL twin of
 * libs/policy's `sliceForUsers` / `sliceForSection` (see the slice contract in roster-facts.ts). Reading
 * the roster at every request is what makes a removal by a roster import take effect at once.
 */
export class RosterFactsRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async sliceForUsers(userIds: readonly string[]): Promise<RosterFacts> {
    const parties = [...new Set(userIds)];
    // Two indexed lookups instead of one OR, which PostgreSQL answers by scanning the whole table.
    const [asGuardian, asStudent] = await Promise.all([
      this.prisma.guardianLink.findMany({
        where: { districtId: this.districtId, guardianId: { in: parties } },
        select: { guardianId: true, studentId: true },
      }),
      this.prisma.guardianLink.findMany({
        where: { districtId: this.districtId, studentId: { in: parties } },
        select: { guardianId: true, studentId: true },
      }),
    ]);
    const seen = new Set<string>();
    const guardianLinks = [...asGuardian, ...asStudent].filter((link) => {
      const key = `${link.guardianId}:${link.studentId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const involved = new Set(parties);
    for (const link of guardianLinks) if (involved.has(link.guardianId)) involved.add(link.studentId);
    return this.factsFor([...involved], guardianLinks);
  }

  async sliceForSection(sectionId: string): Promise<RosterFacts> {
    const memberships = await this.prisma.sectionMembership.findMany({
      where: { districtId: this.districtId, sectionId },
      select: { sectionId: true, userId: true, role: true, isPrimary: true },
    });
    const memberIds = memberships.map((m) => m.userId);
    const guardianLinks = await this.prisma.guardianLink.findMany({
      where: { districtId: this.districtId, studentId: { in: memberIds } },
      select: { guardianId: true, studentId: true },
    });
    const userIds = [...new Set([...memberIds, ...guardianLinks.map((l) => l.guardianId)])];
    const [users, sections] = await Promise.all([this.users(userIds), this.sections([sectionId])]);
    return {
      users,
      sections,
      memberships: memberships.map((m) => ({ ...m, primary: m.isPrimary })),
      guardianLinks,
    };
  }

  private async factsFor(
    userIds: string[],
    guardianLinks: { guardianId: string; studentId: string }[],
  ): Promise<RosterFacts> {
    const memberships = await this.prisma.sectionMembership.findMany({
      where: { districtId: this.districtId, userId: { in: userIds } },
      select: { sectionId: true, userId: true, role: true, isPrimary: true },
    });
    const [users, sections] = await Promise.all([
      this.users(userIds),
      this.sections([...new Set(memberships.map((m) => m.sectionId))]),
    ]);
    return {
      users,
      sections,
      memberships: memberships.map((m) => ({ ...m, primary: m.isPrimary })),
      guardianLinks,
    };
  }

  private users(ids: string[]) {
    return this.prisma.user.findMany({
      where: { districtId: this.districtId, id: { in: ids } },
      select: { id: true, districtId: true, role: true, active: true, schoolId: true },
    });
  }

  private sections(ids: string[]) {
    return this.prisma.section.findMany({
      where: { districtId: this.districtId, id: { in: ids } },
      select: { id: true, districtId: true, schoolId: true, active: true },
    });
  }
}
