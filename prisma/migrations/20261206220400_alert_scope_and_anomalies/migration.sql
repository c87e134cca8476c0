-- AlterTable
ALTER TABLE "districts" ADD COLUMN     "anomaly_broadcast_recipients" INTEGER;

-- AlterTable
ALTER TABLE "security_alerts" ADD COLUMN     "school_ids" UUID[] DEFAULT ARRAY[]::UUID[];

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "new_device" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "announcements_author_id_created_at_idx" ON "announcements"("author_id", "created_at");
