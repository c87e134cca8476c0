-- AlterEnum
ALTER TYPE "announcement_status" ADD VALUE 'retracted';

-- AlterTable
ALTER TABLE "announcements" ADD COLUMN     "retracted_at" TIMESTAMPTZ(3),
ADD COLUMN     "retracted_by_id" UUID;
