import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { requireAttachable } from '../../../../libs/attachments/attachable';
import { Database, type TenantRepositories } from '../../../../libs/db/database';
import { type AnnouncementRecord } from '../../../../libs/db/repositories/announcement.repository';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
} from '../../../../libs/domain/errors/domain-errors';
import { BodyCipher } from '../../../../libs/messaging/body-cipher';
import { idempotentId } from '../../../../libs/messaging/idempotent-id';
import {
  type AnnouncementRef,
  canListAnnouncementRecipients,
  canPostAnnouncement,
  canReadAnnouncement,
  canReplyToAnnouncement,
  indexRoster,
} from '../../../../libs/domain/policy';
import { type Principal } from '../common/request-context';
import { type QuotaReservation, QuotaService } from '../quotas/quota.service';
import { DEFAULT_LANGUAGE } from '../messages/conversation-access.service';
import { MessageService } from '../messages/message.service';
import { MessageTranslationService } from '../messages/message-translation.service';
import { type ReaderTranslation } from '../../../../libs/translation/translation-reader';
import { AnnouncementAnomalyService } from './announcement-anomaly.service';
import { AnnouncementFanOutStarter } from './announcement-fan-out.starter';

export const ANNOUNCEMENT_PAGE_SIZE = 50;

/** An author id matching no user: the question is about a recipient, never about the author. */
const SOMEONE_ELSE = '00000000-0000-0000-0000-000000000000';

export interface AnnouncementView {
  record: AnnouncementRecord;
  body: string;
  readAt: Date | null;
  /** Only for the author and the section's current teachers. */
  delivery?: { recipients: number; delivered: number; read: number };
  /** In the reader's preferred language, once stored. */
  translation?: ReaderTranslation;
}

@Injectable()
export class AnnouncementService {
  constructor(
    private readonly db: Database,
    private readonly fanOut: AnnouncementFanOutStarter,
    private readonly messages: MessageService,
    private readonly translations: MessageTranslationService,
    @Inject(BodyCipher) private readonly cipher: BodyCipher,
    private readonly quotas: QuotaService,
    private readonly anomalies: AnnouncementAnomalyService,
  ) {}

  /**
   * Stores the announcement (encrypted) and starts its fan-out. With an idempotency key, a retried
   * request finds the same announcement and the same workflow instead of sending a second one (and
   * gives back the quota it reserved: only a new announcement counts).
   */
  async post(
    principal: Principal,
    sectionId: string,
    input: { body: string; attachmentIds?: string[]; idempotencyKey?: string },
  ): Promise<{ id: string; workflowId: string; status: string }> {
    const tenant = this.db.forDistrict(principal.districtId);
    if (!(await tenant.sections.findById(sectionId))) throw new NotFoundError('The section');
    const facts = await tenant.rosterFacts.sliceForUsers([principal.userId]);
    if (!canPostAnnouncement(principal.userId, sectionId, facts).allowed) {
      throw new ForbiddenError("Only the section's teachers can post announcements to it.");
    }
    const attachmentIds = [...new Set((input.attachmentIds ?? []).map((id) => id.toLowerCase()))];
    const id = input.idempotencyKey
      ? idempotentId('announcement', principal.districtId, principal.userId, input.idempotencyKey)
      : randomUUID();
    // A retry of an announcement already stored is no new announcement: it is not counted, so it is
    // answered as the first time was even once the quota is used up.
    const retried = input.idempotencyKey !== undefined && (await this.exists(tenant, id));
    const reservation = retried ? null : await this.quotas.reserve(principal, { announcements: 1 });
    try {
      await requireAttachable(tenant, principal.userId, attachmentIds);
      return await this.create(
        tenant,
        principal,
        { id, sectionId, attachmentIds, body: input.body },
        reservation,
      );
    } catch (error) {
      await reservation?.release();
      throw error;
    }
  }

  private async exists(tenant: TenantRepositories, announcementId: string): Promise<boolean> {
    return (await tenant.announcements.findById(announcementId)) !== null;
  }

  private async create(
    tenant: TenantRepositories,
    principal: Principal,
    input: { id: string; sectionId: string; attachmentIds: string[]; body: string },
    reservation: QuotaReservation | null,
  ): Promise<{ id: string; workflowId: string; status: string }> {
    const { id, sectionId, attachmentIds } = input;
    const [sealed, author] = await Promise.all([
      this.cipher.sealAnnouncement(principal.districtId, id, input.body),
      tenant.users.findProfile(principal.userId),
    ]);
    const { announcements } = tenant;
    const { record, created } = await announcements.createOnce({
      id,
      sectionId,
      authorId: principal.userId,
      ...sealed,
      sourceLanguage: author?.preferredLanguage ?? 'en',
    });
    if (!created && record.sectionId !== sectionId) {
      throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used for another section.');
    }
    if (created) await announcements.attach(id, attachmentIds);
    else await reservation?.release();
    let workflowId: string;
    try {
      workflowId = await this.fanOut.start(principal.districtId, id);
    } catch (error) {
      if (error instanceof UnavailableError && created) await announcements.markFailed(id);
      throw error;
    }
    if (created) await this.anomalies.check(principal, id, sectionId);
    return { id, workflowId, status: record.status };
  }

  /** The caller's received announcements they can still read, newest first. */
  async listReceived(
    principal: Principal,
    before?: { createdAt: Date; id: string },
  ): Promise<{ items: AnnouncementView[]; hasMore: boolean }> {
    const tenant = this.db.forDistrict(principal.districtId);
    const [facts, language] = await Promise.all([
      tenant.rosterFacts.sliceForUsers([principal.userId]),
      this.languageOf(tenant, principal.userId),
    ]);
    const roster = indexRoster(facts);
    // Every listed row is a delivery to the caller, so the policy is asked, per section of the caller's
    // roster slice, whether a delivered announcement of someone else in it is still readable.
    const readableSectionIds = [...roster.sectionsById.keys()].filter(
      (sectionId) =>
        canReadAnnouncement(
          principal.userId,
          { districtId: principal.districtId, sectionId, authorId: SOMEONE_ELSE },
          roster,
          { delivered: true },
        ).allowed,
    );
    const rows = await tenant.announcements.listReceived(principal.userId, readableSectionIds, {
      limit: ANNOUNCEMENT_PAGE_SIZE,
      before,
    });
    const [bodies, translations] = await Promise.all([
      Promise.all(rows.map((row) => this.cipher.openAnnouncement(row))),
      this.translations.forPage(
        { districtId: principal.districtId, preferredLanguage: language },
        'announcement',
        rows,
      ),
    ]);
    const items = rows.map((row, i) => ({
      record: row,
      readAt: row.readAt,
      body: bodies[i]!,
      ...(translations.has(row.id) ? { translation: translations.get(row.id) } : {}),
    }));
    return { items, hasMore: rows.length === ANNOUNCEMENT_PAGE_SIZE };
  }

  async get(principal: Principal, announcementId: string): Promise<AnnouncementView> {
    const { tenant, record, roster, readAt } = await this.requireReadable(principal, announcementId);
    const [body, language] = await Promise.all([
      this.cipher.openAnnouncement(record),
      this.languageOf(tenant, principal.userId),
    ]);
    const translation = (
      await this.translations.forPage(
        { districtId: principal.districtId, preferredLanguage: language },
        'announcement',
        [record],
      )
    ).get(record.id);
    const view: AnnouncementView = { record, body, readAt, ...(translation ? { translation } : {}) };
    const isAuthor = record.authorId === principal.userId;
    if (isAuthor || canListAnnouncementRecipients(principal.userId, record.sectionId, roster).allowed) {
      const counts = await tenant.deliveries.counts(announcementId);
      view.delivery = { recipients: record.recipientCount ?? 0, ...counts };
    }
    return view;
  }

  async markRead(principal: Principal, announcementId: string): Promise<void> {
    const { tenant } = await this.requireReadable(principal, announcementId);
    await tenant.deliveries.markRead(announcementId, principal.userId, new Date());
  }

  /**
   * A reply goes to the author alone, in the one-to-one conversation of the pair (created if needed),
   * which records the announcement it answers; the conversation stays open only while the pair may
   * message each other under the current roster.
   */
  async reply(
    principal: Principal,
    announcementId: string,
    body: string,
    idempotencyKey?: string,
  ): Promise<{ conversationId: string; messageId: string }> {
    const { tenant, record, delivered } = await this.requireReadable(principal, announcementId);
    const facts = await tenant.rosterFacts.sliceForUsers([principal.userId, record.authorId]);
    const decision = canReplyToAnnouncement(principal.userId, this.ref(principal, record), facts, {
      delivered,
    });
    if (!decision.allowed) throw new ForbiddenError('You cannot reply to this announcement.');
    const write = async () => {
      const { conversation } = await tenant.conversations.findOrCreate(
        principal.userId,
        record.authorId,
        announcementId,
      );
      const [sourceLanguage, readerLanguage] = await Promise.all([
        this.languageOf(tenant, principal.userId),
        this.languageOf(tenant, record.authorId),
      ]);
      const message = await this.messages.storeCounted(tenant, principal, conversation.id, body, {
        sourceLanguage,
        readerLanguage,
        idempotencyKey,
      });
      return { conversationId: conversation.id, messageId: message.id };
    };
    // Counted before the conversation is opened, so a refused reply leaves no conversation behind; a
    // retry of a reply stored before is not counted again.
    if (await this.messages.alreadyStored(tenant, principal, idempotencyKey)) return write();
    return this.quotas.within(principal, 'messages', write);
  }

  /** To anyone who may not read it, an announcement does not exist (404), like one of another district. */
  private async requireReadable(principal: Principal, announcementId: string) {
    const tenant: TenantRepositories = this.db.forDistrict(principal.districtId);
    const { announcements, deliveries } = tenant;
    const [record, delivery, facts] = await Promise.all([
      announcements.findById(announcementId),
      deliveries.find(announcementId, principal.userId),
      tenant.rosterFacts.sliceForUsers([principal.userId]),
    ]);
    if (!record) throw new NotFoundError('The announcement');
    // Retracted: gone for everyone but its author (admins see it through the audit log and alerts).
    if (record.status === 'retracted' && record.authorId !== principal.userId) {
      throw new NotFoundError('The announcement');
    }
    const roster = indexRoster(facts);
    const delivered = delivery !== null;
    if (!canReadAnnouncement(principal.userId, this.ref(principal, record), roster, { delivered }).allowed) {
      throw new NotFoundError('The announcement');
    }
    return { tenant, record, roster, delivered, readAt: delivery?.readAt ?? null };
  }

  private async languageOf(tenant: TenantRepositories, userId: string): Promise<string> {
    return (await tenant.users.findProfile(userId))?.preferredLanguage ?? DEFAULT_LANGUAGE;
  }

  private ref(principal: Principal, record: AnnouncementRecord): AnnouncementRef {
    return { districtId: principal.districtId, sectionId: record.sectionId, authorId: record.authorId };
  }
}
