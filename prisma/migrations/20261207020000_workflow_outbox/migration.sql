-- CreateEnum
CREATE TYPE "outbox_kind" AS ENUM ('message_translation');

-- CreateTable
CREATE TABLE "workflow_outbox" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "district_id" UUID NOT NULL,
    "kind" "outbox_kind" NOT NULL,
    "subject_id" UUID NOT NULL,
    "task_queue" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "workflow_outbox_task_queue_available_at_idx" ON "workflow_outbox"("task_queue", "available_at");

-- CreateIndex
CREATE UNIQUE INDEX "workflow_outbox_kind_subject_id_key" ON "workflow_outbox"("kind", "subject_id");

-- AddForeignKey
ALTER TABLE "workflow_outbox" ADD CONSTRAINT "workflow_outbox_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
