import { type DbClient } from '../db-client';

export type SectionViewerRole = 'teacher' | 'student' | 'guardian';

export class SectionRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  findById(id: string) {
    return this.prisma.section.findFirst({
      where: { id, districtId: this.districtId },
      select: { id: true, title: true, schoolId: true, active: true },
    });
  }

  /** Sections the user is enrolled in, plus — for guardians — the sections of their linked students. */
  async listForUser(userId: string): Promise<{ id: string; title: string; role: SectionViewerRole }[]> {
    const [own, viaChildren] = await Promise.all([
      this.prisma.sectionMembership.findMany({
        where: { districtId: this.districtId, userId, section: { active: true } },
        select: { role: true, section: { select: { id: true, title: true } } },
      }),
      this.prisma.sectionMembership.findMany({
        where: {
          districtId: this.districtId,
          role: 'student',
          section: { active: true },
          user: { active: true, guardianLinksAsStudent: { some: { guardianId: userId } } },
        },
        select: { section: { select: { id: true, title: true } } },
      }),
    ]);
    const byId = new Map<string, { id: string; title: string; role: SectionViewerRole }>();
    for (const m of own) byId.set(m.section.id, { ...m.section, role: m.role });
    for (const m of viaChildren)
      if (!byId.has(m.section.id)) byId.set(m.section.id, { ...m.section, role: 'guardian' });
    return [...byId.values()].sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
  }

  /** The section's current roster: its teachers, its students and the students' linked guardians. */
  async listMembers(sectionId: string) {
    const memberships = await this.prisma.sectionMembership.findMany({
      where: { districtId: this.districtId, sectionId, user: { active: true } },
      select: {
        role: true,
        isPrimary: true,
        user: { select: { id: true, givenName: true, familyName: true } },
      },
    });
    const studentIds = memberships.filter((m) => m.role === 'student').map((m) => m.user.id);
    const links = await this.prisma.guardianLink.findMany({
      where: { districtId: this.districtId, studentId: { in: studentIds }, guardian: { active: true } },
      select: { studentId: true, guardian: { select: { id: true, givenName: true, familyName: true } } },
    });
    return { memberships, guardianLinks: links };
  }
}
