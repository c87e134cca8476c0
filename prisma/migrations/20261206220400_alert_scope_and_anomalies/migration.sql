-- AlterTable
ALTER TABLE "districts" ADD COLUMN     "anomaly_broadcast_recipients" INTEGER;

-- AlterTable
ALTER TABLE "security_alerts" ADD COLUMN     "school_ids" UUID[] DEFAULT ARRAY[]::UUID[];

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "new_device" BOOLEAN NOT NULL DEFAULT false;
