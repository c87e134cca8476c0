/**
 * The database's enum types, for code outside libs/db: product code names a role or an import source
 * through this module and never imports the generated Prisma client.
 */
export type {
  AnnouncementStatus,
  AttachmentStatus,
  InvitationKind,
  MembershipRole,
  OidcUserField,
  OutboxKind,
  RosterImportSource,
  RosterImportStatus,
  UserRole,
} from './generated/enums';
