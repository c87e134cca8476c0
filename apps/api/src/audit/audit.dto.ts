import { ApiProperty } from '@nestjs/swagger';

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Position in the district’s chain, from 1.' }) seq!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ nullable: true, type: String }) actorId!: string | null;
  @ApiProperty({ example: 'login.succeeded' }) action!: string;
  @ApiProperty({ nullable: true, type: String }) targetType!: string | null;
  @ApiProperty({ nullable: true, type: String }) targetId!: string | null;
  @ApiProperty({ type: Object, description: 'Ids and counts only.' }) details!: unknown;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class AuditVerificationDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Rows checked before the first problem (all rows when ok).' }) checked!: number;
  @ApiProperty({ required: false, description: 'Seq of the first row that is missing or altered.' })
  firstBrokenSeq?: string;
  @ApiProperty({ required: false }) problem?: string;
}

export function toAuditEventDto(row: {
  id: string;
  seq: bigint;
  occurredAt: Date;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  prevHash: string;
  hash: string;
}): AuditEventDto {
  return { ...row, seq: row.seq.toString(), occurredAt: row.occurredAt.toISOString() };
}
