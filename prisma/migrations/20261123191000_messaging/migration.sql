-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "origin_announcement_id" UUID;

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_origin_announcement_id_fkey" FOREIGN KEY ("origin_announcement_id") REFERENCES "announcements"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
