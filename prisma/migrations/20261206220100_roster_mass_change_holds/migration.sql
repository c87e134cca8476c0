-- AlterEnum
ALTER TYPE "roster_import_status" ADD VALUE 'held';
ALTER TYPE "roster_import_status" ADD VALUE 'discarded';

-- AlterTable
ALTER TABLE "roster_imports" ADD COLUMN     "held_at" TIMESTAMPTZ(3),
ADD COLUMN     "pending" JSONB;

-- CreateTable
CREATE TABLE "roster_settings" (
    "district_id" UUID NOT NULL,
    "mass_change_threshold_percent" INTEGER NOT NULL DEFAULT 10,
    "source" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "roster_settings_pkey" PRIMARY KEY ("district_id")
);

-- AddForeignKey
ALTER TABLE "roster_settings" ADD CONSTRAINT "roster_settings_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
