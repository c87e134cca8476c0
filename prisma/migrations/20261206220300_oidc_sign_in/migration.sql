-- CreateEnum
CREATE TYPE "oidc_user_field" AS ENUM ('email', 'username', 'sourced_id');

-- CreateTable
CREATE TABLE "oidc_providers" (
    "district_id" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "client_secret_ref" TEXT NOT NULL,
    "claim" TEXT NOT NULL,
    "user_field" "oidc_user_field" NOT NULL,
    "redirect_uris" TEXT[],
    "password_sign_in_disabled_roles" "user_role"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oidc_providers_pkey" PRIMARY KEY ("district_id")
);

-- CreateTable
CREATE TABLE "oidc_sign_ins" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "district_id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "browser_binding_hash" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "code_verifier" TEXT NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "callback_at" TIMESTAMPTZ(3),
    "user_id" UUID,
    "exchange_code_hash" TEXT,
    "exchange_expires_at" TIMESTAMPTZ(3),
    "exchanged_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oidc_sign_ins_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "oidc_sign_ins_state_hash_key" ON "oidc_sign_ins"("state_hash");

-- CreateIndex
CREATE UNIQUE INDEX "oidc_sign_ins_exchange_code_hash_key" ON "oidc_sign_ins"("exchange_code_hash");

-- CreateIndex
CREATE INDEX "oidc_sign_ins_expires_at_idx" ON "oidc_sign_ins"("expires_at");

-- CreateIndex
CREATE INDEX "oidc_sign_ins_user_id_idx" ON "oidc_sign_ins"("user_id");

-- AddForeignKey
ALTER TABLE "oidc_providers" ADD CONSTRAINT "oidc_providers_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oidc_sign_ins" ADD CONSTRAINT "oidc_sign_ins_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oidc_sign_ins" ADD CONSTRAINT "oidc_sign_ins_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
