import { AuditRepository } from './repositories/audit.repository';
import { DistrictRepository } from './repositories/district.repository';
import { SessionRepository, TenantSessionRepository } from './repositories/session.repository';
import { UserRepository } from './repositories/user.repository';
import { InvitationRepository, InvitationTokenRepository } from './repositories/invitation.repository';
import { DataKeyRepository } from './repositories/data-key.repository';
import { RateLimitRepository } from './repositories/rate-limit.repository';
import { RosterFactsRepository } from './repositories/roster-facts.repository';
import { SectionRepository } from './repositories/section.repository';
import { TranslationRepository } from './repositories/translation.repository';
import { ConversationRepository } from './repositories/conversation.repository';
import { RosterImportRepository } from './repositories/roster-import.repository';
import { RosterSyncRepository } from './repositories/roster-sync.repository';
import {
  RosterApiSourceRepository,
  RosterApiSourcesRepository,
} from './repositories/roster-api-source.repository';
import { RosterSettingsRepository } from './repositories/roster-settings.repository';
import { AttachmentRepository } from './repositories/attachment.repository';
import { AttachmentRetentionRepository } from './repositories/attachment-retention.repository';
import { DownloadLinkRepository, DownloadLinkTokenRepository } from './repositories/download-link.repository';
import { SecurityAlertRepository } from './repositories/security-alert.repository';
import { RecoveryCodeRepository } from './repositories/recovery-code.repository';
import {
  OidcProviderRepository,
  OidcSignInRepository,
  OidcSignInTokenRepository,
} from './repositories/oidc.repository';
import { type DbClient } from './db-client';
import { type HomeroomPrismaClient } from './prisma';

/**
 * Repositories bound to one district. This is the tenant choke point (DESIGN.md invariant 2): code that
 * acts for a caller gets its repositories from `forDistrict(caller.districtId)`, and every query a
 * tenant repository runs carries that district in its WHERE clause, so an id from another district
 * simply finds nothing (404, never 403).
 */
export class TenantRepositories {
  readonly users: UserRepository;
  readonly invitations: InvitationRepository;
  readonly sessions: TenantSessionRepository;
  readonly audit: AuditRepository;
  readonly rosterFacts: RosterFactsRepository;
  readonly sections: SectionRepository;
  readonly translations: TranslationRepository;
  readonly conversations: ConversationRepository;
  readonly attachments: AttachmentRepository;
  readonly downloadLinks: DownloadLinkRepository;
  readonly securityAlerts: SecurityAlertRepository;
  readonly rosterImports: RosterImportRepository;
  readonly rosterSync: RosterSyncRepository;
  readonly recoveryCodes: RecoveryCodeRepository;
  readonly oidcProvider: OidcProviderRepository;
  readonly oidcSignIns: OidcSignInRepository;
  readonly rosterApiSource: RosterApiSourceRepository;
  readonly rosterSettings: RosterSettingsRepository;

  constructor(
    readonly prisma: DbClient,
    readonly districtId: string,
  ) {
    this.users = new UserRepository(prisma, districtId);
    this.invitations = new InvitationRepository(prisma, districtId);
    this.sessions = new TenantSessionRepository(prisma, districtId);
    this.audit = new AuditRepository(prisma, districtId);
    this.rosterFacts = new RosterFactsRepository(prisma, districtId);
    this.sections = new SectionRepository(prisma, districtId);
    this.translations = new TranslationRepository(prisma, districtId);
    this.conversations = new ConversationRepository(prisma, districtId);
    this.attachments = new AttachmentRepository(prisma, districtId);
    this.downloadLinks = new DownloadLinkRepository(prisma, districtId);
    this.securityAlerts = new SecurityAlertRepository(prisma, districtId);
    this.rosterImports = new RosterImportRepository(prisma, districtId);
    this.rosterSync = new RosterSyncRepository(prisma, districtId);
    this.recoveryCodes = new RecoveryCodeRepository(prisma, districtId);
    this.oidcProvider = new OidcProviderRepository(prisma, districtId);
    this.oidcSignIns = new OidcSignInRepository(prisma, districtId);
    this.rosterApiSource = new RosterApiSourceRepository(prisma, districtId);
    this.rosterSettings = new RosterSettingsRepository(prisma, districtId);
  }
}

/** The data layer's entry point: the few unscoped lookups, and `forDistrict` for everything else. */
export class Database {
  readonly districts: DistrictRepository;
  readonly sessions: SessionRepository;
  readonly invitationTokens: InvitationTokenRepository;
  readonly dataKeys: DataKeyRepository;
  readonly rateLimits: RateLimitRepository;
  readonly downloadLinkTokens: DownloadLinkTokenRepository;
  readonly attachmentRetention: AttachmentRetentionRepository;
  readonly oidcSignInTokens: OidcSignInTokenRepository;
  readonly rosterApiSources: RosterApiSourcesRepository;

  constructor(readonly prisma: HomeroomPrismaClient) {
    this.districts = new DistrictRepository(prisma);
    this.sessions = new SessionRepository(prisma);
    this.invitationTokens = new InvitationTokenRepository(prisma);
    this.dataKeys = new DataKeyRepository(prisma);
    this.rateLimits = new RateLimitRepository(prisma);
    this.downloadLinkTokens = new DownloadLinkTokenRepository(prisma);
    this.attachmentRetention = new AttachmentRetentionRepository(prisma);
    this.oidcSignInTokens = new OidcSignInTokenRepository(prisma);
    this.rosterApiSources = new RosterApiSourcesRepository(prisma);
  }

  forDistrict(districtId: string): TenantRepositories {
    return new TenantRepositories(this.prisma, districtId);
  }

  /** Runs `work` in one transaction with repositories bound to it: all of it commits, or none. */
  transaction<T>(districtId: string, work: (tenant: TenantRepositories) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(new TenantRepositories(tx, districtId)));
  }
}
