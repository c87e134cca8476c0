import { ApiProperty } from '@nestjs/swagger';

export class SectionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['teacher', 'student', 'guardian'] }) role!: 'teacher' | 'student' | 'guardian';
}

export class SectionMemberDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['teacher', 'student', 'guardian'] }) role!: 'teacher' | 'student' | 'guardian';
  @ApiProperty() givenName!: string;
  @ApiProperty() familyName!: string;
  @ApiProperty({ required: false }) isPrimary?: boolean;
  @ApiProperty({
    required: false,
    type: [String],
    description: 'For guardians: their students in this section.',
  })
  studentIds?: string[];
}

export class SectionMembersDto {
  @ApiProperty({ type: [SectionMemberDto] }) items!: SectionMemberDto[];
}

type Members = {
  memberships: {
    role: 'teacher' | 'student';
    isPrimary: boolean;
    user: { id: string; givenName: string; familyName: string };
  }[];
  guardianLinks: { studentId: string; guardian: { id: string; givenName: string; familyName: string } }[];
};

export function toSectionMembersDto({ memberships, guardianLinks }: Members): SectionMembersDto {
  const items: SectionMemberDto[] = memberships.map((m) => ({
    ...m.user,
    role: m.role,
    ...(m.role === 'teacher' ? { isPrimary: m.isPrimary } : {}),
  }));
  const guardians = new Map<string, SectionMemberDto>();
  for (const link of guardianLinks) {
    const entry = guardians.get(link.guardian.id) ?? {
      ...link.guardian,
      role: 'guardian' as const,
      studentIds: [],
    };
    entry.studentIds!.push(link.studentId);
    guardians.set(link.guardian.id, entry);
  }
  const order = { teacher: 0, student: 1, guardian: 2 };
  return {
    items: [...items, ...guardians.values()].sort(
      (a, b) =>
        order[a.role] - order[b.role] || a.familyName.localeCompare(b.familyName) || a.id.localeCompare(b.id),
    ),
  };
}
