-- CreateEnum
CREATE TYPE "invitation_kind" AS ENUM ('invitation', 'password_reset');

-- AlterTable
ALTER TABLE "invitations" ADD COLUMN     "kind" "invitation_kind" NOT NULL DEFAULT 'invitation',
ADD COLUMN     "revoked_at" TIMESTAMPTZ(3);
