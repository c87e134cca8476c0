import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SecurityAlerts } from '../../../../libs/alerts/security-alerts';
import { requireAttachable } from '../../../../libs/attachments/attachable';
import { Database, type TenantRepositories } from '../../../../libs/db/database';
import { type StoredMessage } from '../../../../libs/db/repositories/message.repository';
import {
  ConflictError,
  NotFoundError,
  ValidationFailedError,
} from '../../../../libs/domain/errors/domain-errors';
import { BodyCipher } from '../../../../libs/messaging/body-cipher';
import { idempotentId } from '../../../../libs/messaging/idempotent-id';
import { AlertDeliveryStarter } from '../alerts/alert-delivery.starter';
import { type Principal } from '../common/request-context';
import { QuotaService } from '../quotas/quota.service';
import { type ReaderTranslation } from '../../../../libs/translation/translation-reader';
import { ConversationAccessService, DEFAULT_LANGUAGE } from './conversation-access.service';
import { MessageTranslationService } from './message-translation.service';

export const MESSAGE_PAGE_SIZE = 50;

interface MessageOptions {
  attachmentIds?: readonly string[];
  sourceLanguage?: string;
  readerLanguage: string;
  idempotencyKey?: string;
}

/** Per district and sender: one user's keys can never name another's message. */
function messageIdFor(principal: Principal, idempotencyKey: string): string {
  return idempotentId('message', principal.districtId, principal.userId, idempotencyKey);
}

export interface MessageView {
  message: StoredMessage;
  body: string;
  /** In the reader's preferred language, once stored; absent for admins reviewing the original. */
  translation?: ReaderTranslation;
}

@Injectable()
export class MessageService {
  constructor(
    private readonly db: Database,
    private readonly access: ConversationAccessService,
    @Inject(BodyCipher) private readonly cipher: BodyCipher,
    private readonly translations: MessageTranslationService,
    private readonly quotas: QuotaService,
    private readonly alertDelivery: AlertDeliveryStarter,
  ) {}

  async send(
    principal: Principal,
    conversationId: string,
    body: string,
    options: { attachmentIds?: readonly string[]; idempotencyKey?: string } = {},
  ): Promise<{ id: string; createdAt: Date }> {
    const { tenant, languages } = await this.access.require(principal, conversationId);
    return this.store(tenant, principal, conversationId, body, {
      ...options,
      sourceLanguage: languages.caller,
      readerLanguage: languages.other,
    });
  }

  /**
   * Writes a message into a conversation the caller was just found allowed to write to, counted against
   * the sender's and the district's message quotas before anything is sealed or stored. A retry of a
   * send already stored under its idempotency key is not counted again.
   */
  async store(
    tenant: TenantRepositories,
    principal: Principal,
    conversationId: string,
    body: string,
    options: MessageOptions,
  ): Promise<{ id: string; createdAt: Date }> {
    if (await this.alreadyStored(tenant, principal, options.idempotencyKey)) {
      return this.storeCounted(tenant, principal, conversationId, body, options);
    }
    return this.quotas.within(principal, 'messages', () =>
      this.storeCounted(tenant, principal, conversationId, body, options),
    );
  }

  /** Whether a send under this idempotency key was stored before: a retry, which no quota counts again. */
  async alreadyStored(
    tenant: TenantRepositories,
    principal: Principal,
    idempotencyKey: string | undefined,
  ): Promise<boolean> {
    if (idempotencyKey === undefined) return false;
    const existing = await tenant.messages.findSent(messageIdFor(principal, idempotencyKey));
    return existing !== null;
  }

  /**
   * `store` for a caller that already counted the message (QuotaService.within, around work of its own
   * that a refused message must not do either). Stores the message and, when the reader prefers
   * another language, its translation's outbox row in the same transaction. The id is chosen first because the ciphertext is sealed to
   * it. Languages not given are looked up.
   *
   * With an idempotency key the id is derived from it (per district and sender), so a retried send
   * finds the message it stored before and answers with it instead of storing a second one; the same
   * key with another conversation, body or attachments is a 409.
   */
  async storeCounted(
    tenant: TenantRepositories,
    principal: Principal,
    conversationId: string,
    body: string,
    options: MessageOptions,
  ): Promise<{ id: string; createdAt: Date }> {
    const uniqueAttachmentIds = [...new Set((options.attachmentIds ?? []).map((id) => id.toLowerCase()))];
    await requireAttachable(tenant, principal.userId, uniqueAttachmentIds);
    const id = options.idempotencyKey ? messageIdFor(principal, options.idempotencyKey) : randomUUID();
    const [sealed, sourceLanguage] = await Promise.all([
      this.cipher.sealMessage(principal.districtId, id, body),
      options.sourceLanguage ??
        tenant.users
          .findProfile(principal.userId)
          .then((sender) => sender?.preferredLanguage ?? DEFAULT_LANGUAGE),
    ]);
    const message = { id, conversationId, senderId: principal.userId, ...sealed, sourceLanguage };
    const translate = this.translations.needed({ source: sourceLanguage, reader: options.readerLanguage });
    // With attachments or a translation owed, the message, its links and its outbox row commit
    // together, so a retry never finds half of it and no translation is lost after the commit.
    const stored =
      uniqueAttachmentIds.length === 0 && !translate
        ? await tenant.messages.insert(message)
        : await this.db.transaction(principal.districtId, async (tx) => {
            const inserted = await tx.messages.insert(message);
            if (inserted) {
              await tx.messages.attach(id, uniqueAttachmentIds);
              if (translate) await this.translations.queue(tx, id);
            }
            return inserted;
          });
    return stored ?? (await this.sameAsStored(tenant, { id, conversationId, body, uniqueAttachmentIds }));
  }

  /**
   * A send whose id exists already: the same request retried gets the stored message back; anything
   * else under the same key is refused. Only the sender's own keys derive this id, so the stored
   * message is always the caller's own.
   */
  private async sameAsStored(
    tenant: TenantRepositories,
    request: { id: string; conversationId: string; body: string; uniqueAttachmentIds: readonly string[] },
  ): Promise<{ id: string; createdAt: Date }> {
    const existing = await tenant.messages.findSent(request.id);
    if (!existing) throw new Error(`conversation ${request.conversationId} does not exist in the district`);
    const sameAttachments =
      existing.attachmentIds.length === request.uniqueAttachmentIds.length &&
      request.uniqueAttachmentIds.every((attachmentId) => existing.attachmentIds.includes(attachmentId));
    if (
      existing.conversationId !== request.conversationId ||
      !sameAttachments ||
      (await this.cipher.openMessage(existing)) !== request.body
    ) {
      throw new ConflictError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used for a different message.',
      );
    }
    return { id: existing.id, createdAt: existing.createdAt };
  }

  async list(
    principal: Principal,
    conversationId: string,
    before?: { createdAt: Date; id: string },
  ): Promise<{ items: MessageView[]; hasMore: boolean }> {
    const { tenant, languages } = await this.access.require(principal, conversationId);
    return this.page(tenant, conversationId, before, languages.caller);
  }

  /**
   * One page of a conversation, decrypted, with translations into `readerLanguage` where stored; the
   * caller has already been authorized. Without a reader language (safety review) only originals.
   */
  async page(
    tenant: TenantRepositories,
    conversationId: string,
    before?: { createdAt: Date; id: string },
    readerLanguage?: string,
  ): Promise<{ items: MessageView[]; hasMore: boolean }> {
    const rows = await tenant.messages.listPage(conversationId, {
      limit: MESSAGE_PAGE_SIZE,
      before,
    });
    const [bodies, translations] = await Promise.all([
      Promise.all(rows.map((message) => this.cipher.openMessage(message))),
      readerLanguage === undefined
        ? new Map<string, ReaderTranslation>()
        : this.translations.forPage(
            { districtId: tenant.districtId, preferredLanguage: readerLanguage },
            'message',
            rows,
          ),
    ]);
    const items = rows.map((message, i) => ({
      message,
      body: bodies[i]!,
      ...(translations.has(message.id) ? { translation: translations.get(message.id) } : {}),
    }));
    return { items, hasMore: rows.length === MESSAGE_PAGE_SIZE };
  }

  /** Read receipts: only the recipient's read is recorded; the sender reading their own is a no-op. */
  async markRead(principal: Principal, messageId: string): Promise<void> {
    const { tenant, message } = await this.requireReadable(principal, messageId);
    if (message.senderId === principal.userId) return;
    await tenant.messages.markRead(messageId, principal.userId);
  }

  /**
   * A participant reports a message they received: the report, a security alert and an audit event
   * commit together; then the alert goes to the webhook. The alert reaches the district's admins and
   * the admins of the schools where the conversation's students are taught. Reporting stays possible
   * after the relationship ended, because that is when it may matter most.
   */
  async report(principal: Principal, messageId: string, reason: string): Promise<{ id: string }> {
    const tenant = this.db.forDistrict(principal.districtId);
    const message = await tenant.messages.findById(messageId);
    const conversation = message && (await tenant.conversations.findForAccess(message.conversationId));
    if (
      !message ||
      !conversation ||
      (conversation.participantLowId !== principal.userId &&
        conversation.participantHighId !== principal.userId)
    ) {
      throw new NotFoundError('The message');
    }
    if (message.senderId === principal.userId) {
      throw new ValidationFailedError('You cannot report your own message.');
    }
    const { reportId, alertId } = await this.quotas.within(principal, 'reports', () =>
      this.db.transaction(principal.districtId, async (tx) => {
        const reportId = await tx.messages.report({
          messageId,
          reporterId: principal.userId,
          reason,
        });
        const alertId = await new SecurityAlerts(tx).messageReported({
          messageId,
          reportId,
          reporterId: principal.userId,
          participantIds: [conversation.participantLowId, conversation.participantHighId],
        });
        await tx.audit.append({
          actorId: principal.userId,
          action: 'message.reported',
          targetType: 'message',
          targetId: messageId,
          details: { reportId, alertId, conversationId: message.conversationId },
        });
        return { reportId, alertId };
      }),
    );
    await this.alertDelivery.deliver(principal.districtId, alertId);
    return { id: reportId };
  }

  private async requireReadable(principal: Principal, messageId: string) {
    const tenant = this.db.forDistrict(principal.districtId);
    const message = await tenant.messages.findById(messageId);
    if (!message) throw new NotFoundError('The message');
    try {
      await this.access.require(principal, message.conversationId);
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError('The message');
      throw error;
    }
    return { tenant, message };
  }
}
