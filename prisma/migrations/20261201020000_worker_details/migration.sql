-- AlterTable
ALTER TABLE "worker" ADD COLUMN     "inspected_at" TIMESTAMPTZ(6),
ADD COLUMN     "pool_size" INTEGER,
ADD COLUMN     "prefetch_count" INTEGER,
ADD COLUMN     "queues" TEXT[];

