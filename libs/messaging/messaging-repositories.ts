import { type TenantRepositories } from '../db/database';
import { AnnouncementAnomalyRepository } from '../db/repositories/announcement-anomaly.repository';
import { AnnouncementRepository } from '../db/repositories/announcement.repository';
import { DeliveryRepository } from '../db/repositories/delivery.repository';
import { MessageRepository } from '../db/repositories/message.repository';

export interface MessagingRepositories {
  messages: MessageRepository;
  announcements: AnnouncementRepository;
  announcementAnomalies: AnnouncementAnomalyRepository;
  deliveries: DeliveryRepository;
}

/**
 * The messaging repositories bound to the same district and client (or transaction) as `tenant`, so
 * they share the tenant choke point: the district comes from `db.forDistrict(...)`, never from input.
 */
export function messagingRepositories(tenant: TenantRepositories): MessagingRepositories {
  return {
    messages: new MessageRepository(tenant.prisma, tenant.districtId),
    announcements: new AnnouncementRepository(tenant.prisma, tenant.districtId),
    announcementAnomalies: new AnnouncementAnomalyRepository(tenant.prisma, tenant.districtId),
    deliveries: new DeliveryRepository(tenant.prisma, tenant.districtId),
  };
}
