-- AlterTable
ALTER TABLE "roster_imports" ADD COLUMN     "roster_fingerprint" TEXT,
ADD COLUMN     "snapshot_sha256" TEXT;
