-- AlterTable
ALTER TABLE "districts" ADD COLUMN     "announcements_per_teacher_per_hour" INTEGER;

-- AlterTable
ALTER TABLE "rate_limit_counters" ALTER COLUMN "count" SET DATA TYPE BIGINT;
