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
import { AnnouncementAnomalyRepository } from './repositories/announcement-anomaly.repository';
import { AnnouncementRepository } from './repositories/announcement.repository';
import { DeliveryRepository } from './repositories/delivery.repository';
import { MessageRepository } from './repositories/message.repository';
import { OutboxRepository, WorkflowOutboxDrain } from './repositories/workflow-outbox.repository';
import { type DbClient } from './db-client';
import {
  createPrismaClient,
  type HomeroomPrismaClient,
  type PoolStats,
  poolStatsOf,
  type PrismaClientOptions,
} from './prisma';
import { registerClient } from './raw-clients';

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
  readonly messages: MessageRepository;
  readonly announcements: AnnouncementRepository;
  readonly announcementAnomalies: AnnouncementAnomalyRepository;
  readonly deliveries: DeliveryRepository;
  readonly outbox: OutboxRepository;

  constructor(
    prisma: DbClient,
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
    this.messages = new MessageRepository(prisma, districtId);
    this.announcements = new AnnouncementRepository(prisma, districtId);
    this.announcementAnomalies = new AnnouncementAnomalyRepository(prisma, districtId);
    this.deliveries = new DeliveryRepository(prisma, districtId);
    this.outbox = new OutboxRepository(prisma, districtId);
  }
}

export type DatabaseOptions = PrismaClientOptions;
export type { PoolStats };

/** The roster's tables: what a roster import writes in bulk and every fan-out and policy query reads. */
export const ROSTER_TABLES = [
  'schools',
  'sections',
  'users',
  'section_memberships',
  'guardian_links',
] as const;
export type RosterTable = (typeof ROSTER_TABLES)[number];

export interface TransactionOptions {
  /** How long the transaction may run before PostgreSQL's work is rolled back (Prisma's default: 5 s). */
  timeoutMs?: number;
  /** How long to wait for a connection to start it (Prisma's default: 2 s). */
  maxWaitMs?: number;
}

/**
 * The data layer's entry point: the few unscoped lookups, `forDistrict` for everything else, and
 * `transaction` for multi-step writes. The Prisma client stays inside: code outside libs/db reaches
 * rows only through these repositories.
 */
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
  readonly workflowOutbox: WorkflowOutboxDrain;

  /** Opens the process's one connection pool to `databaseUrl`; the composition root calls it once. */
  static open(databaseUrl: string, options: DatabaseOptions = {}): Database {
    return new Database(createPrismaClient(databaseUrl, options));
  }

  private constructor(private readonly prisma: HomeroomPrismaClient) {
    registerClient(this, prisma);
    this.districts = new DistrictRepository(prisma);
    this.sessions = new SessionRepository(prisma);
    this.invitationTokens = new InvitationTokenRepository(prisma);
    this.dataKeys = new DataKeyRepository(prisma);
    this.rateLimits = new RateLimitRepository(prisma);
    this.downloadLinkTokens = new DownloadLinkTokenRepository(prisma);
    this.attachmentRetention = new AttachmentRetentionRepository(prisma);
    this.oidcSignInTokens = new OidcSignInTokenRepository(prisma);
    this.rosterApiSources = new RosterApiSourcesRepository(prisma);
    this.workflowOutbox = new WorkflowOutboxDrain(prisma);
  }

  forDistrict(districtId: string): TenantRepositories {
    return new TenantRepositories(this.prisma, districtId);
  }

  /**
   * Runs `work` in one transaction with the district's repositories bound to it: all of it commits,
   * or none. The only way to group writes; `options` widens the limits for batch work.
   */
  transaction<T>(
    districtId: string,
    work: (tenant: TenantRepositories) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    return this.prisma.$transaction((tx) => work(new TenantRepositories(tx, districtId)), {
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      ...(options.maxWaitMs !== undefined ? { maxWait: options.maxWaitMs } : {}),
    });
  }

  /**
   * Refreshes PostgreSQL's planner statistics of `tables` (ANALYZE) after a bulk change. Autovacuum
   * does it too, but up to a minute later (its naptime), and until then a district or section the
   * statistics have never seen is estimated at one row: the recipient queries then join `users`
   * through the district index once per recipient, quadratic in the section's size (a 10,000-recipient
   * fan-out's planning took 17 s to over 60 s instead of milliseconds). ANALYZE reads a bounded sample
   * (300 × the statistics target rows per table), so its cost does not grow with the table.
   */
  async analyze(tables: readonly RosterTable[]): Promise<void> {
    const names = [...new Set(tables)];
    // Identifiers cannot be bound parameters: only the fixed names of ROSTER_TABLES ever reach the SQL.
    if (names.some((name) => !(ROSTER_TABLES as readonly string[]).includes(name)))
      throw new RangeError(`not a roster table: ${names.join(', ')}`);
    if (names.length > 0) await this.prisma.$executeRawUnsafe(`ANALYZE ${names.join(', ')}`);
  }

  /** The connection pool's size and how long work has waited for a connection, for telemetry. */
  poolStats(): PoolStats | null {
    return poolStatsOf(this.prisma);
  }

  /** What the server says it runs, for readiness: one cheap round trip. */
  async serverVersion(): Promise<string | undefined> {
    const [row] = await this.prisma.$queryRaw<{ version: string }[]>`
      SELECT current_setting('server_version') AS version`;
    return row?.version;
  }

  /** Closes the pool; the composition root calls it once at shutdown. */
  disconnect(): Promise<void> {
    return this.prisma.$disconnect();
  }
}
