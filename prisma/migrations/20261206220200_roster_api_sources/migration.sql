-- CreateTable
CREATE TABLE "roster_api_sources" (
    "district_id" UUID NOT NULL,
    "base_url" TEXT NOT NULL,
    "token_url" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "secret_ref" TEXT NOT NULL,
    "schedule" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "roster_api_sources_pkey" PRIMARY KEY ("district_id")
);

-- AddForeignKey
ALTER TABLE "roster_api_sources" ADD CONSTRAINT "roster_api_sources_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
