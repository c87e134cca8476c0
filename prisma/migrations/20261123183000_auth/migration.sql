-- AlterTable
ALTER TABLE "users" ADD COLUMN     "totp_data_key_id" UUID,
ADD COLUMN     "totp_last_used_step" INTEGER;

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_totp_data_key_id_fkey" FOREIGN KEY ("totp_data_key_id") REFERENCES "data_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
