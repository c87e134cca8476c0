-- AlterTable
ALTER TABLE "roster_imports" ADD COLUMN     "warning_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "warnings" JSONB NOT NULL DEFAULT '[]';
