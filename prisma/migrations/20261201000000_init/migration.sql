-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateTable
CREATE TABLE "task" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "state_rank" INTEGER NOT NULL DEFAULT 8,
    "state_at" TIMESTAMPTZ(6),
    "clock" BIGINT,
    "root_id" TEXT,
    "parent_id" TEXT,
    "group_id" TEXT,
    "group_index" INTEGER,
    "args_json" TEXT,
    "kwargs_json" TEXT,
    "args_repr" TEXT,
    "kwargs_repr" TEXT,
    "result" TEXT,
    "exception" TEXT,
    "traceback" TEXT,
    "retries" INTEGER,
    "worker" TEXT,
    "queue" TEXT,
    "exchange" TEXT,
    "routing_key" TEXT,
    "eta" TEXT,
    "expires" TEXT,
    "sent_at" TIMESTAMPTZ(6),
    "received_at" TIMESTAMPTZ(6),
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "runtime" DOUBLE PRECISION,
    "message_json" TEXT,
    "possibly_lost" BOOLEAN NOT NULL DEFAULT false,
    "rolled_up" BOOLEAN NOT NULL DEFAULT false,
    "events" JSONB NOT NULL DEFAULT '[]',
    "first_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "search" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "worker" (
    "hostname" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "last_heartbeat" TIMESTAMPTZ(6),
    "clock" BIGINT,
    "freq" DOUBLE PRECISION,
    "pid" INTEGER,
    "active" INTEGER,
    "processed" INTEGER,
    "loadavg" DOUBLE PRECISION[],
    "sw_ident" TEXT,
    "sw_ver" TEXT,
    "sw_sys" TEXT,
    "first_seen" TIMESTAMPTZ(6) NOT NULL,
    "last_seen" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "worker_pkey" PRIMARY KEY ("hostname")
);

-- CreateTable
CREATE TABLE "task_group" (
    "id" TEXT NOT NULL,
    "root_id" TEXT,
    "parent_id" TEXT,
    "size" INTEGER,
    "chord_body_id" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_group_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_edge" (
    "root_id" TEXT NOT NULL,
    "from_id" TEXT NOT NULL,
    "to_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_edge_pkey" PRIMARY KEY ("root_id","from_id","to_id","kind")
);

-- CreateTable
CREATE TABLE "task_rollup" (
    "minute" TIMESTAMPTZ(6) NOT NULL,
    "task_name" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "worker" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "runtime_sum" DOUBLE PRECISION NOT NULL,
    "runtime_count" INTEGER NOT NULL,
    "runtime_hist" INTEGER[],
    "wait_sum" DOUBLE PRECISION NOT NULL,
    "wait_count" INTEGER NOT NULL,
    "wait_hist" INTEGER[],

    CONSTRAINT "task_rollup_pkey" PRIMARY KEY ("minute","task_name","queue","worker","state")
);

-- CreateTable
CREATE TABLE "queue_sample" (
    "id" BIGSERIAL NOT NULL,
    "broker" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "depth" INTEGER NOT NULL,
    "consumers" INTEGER,

    CONSTRAINT "queue_sample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_counter" (
    "name" TEXT NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_counter_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "task_first_at_id_idx" ON "task"("first_at", "id");

-- CreateIndex
CREATE INDEX "task_state_first_at_idx" ON "task"("state", "first_at");

-- CreateIndex
CREATE INDEX "task_name_first_at_idx" ON "task"("name", "first_at");

-- CreateIndex
CREATE INDEX "task_worker_first_at_idx" ON "task"("worker", "first_at");

-- CreateIndex
CREATE INDEX "task_queue_first_at_idx" ON "task"("queue", "first_at");

-- CreateIndex
CREATE INDEX "task_root_id_idx" ON "task"("root_id");

-- CreateIndex
CREATE INDEX "task_updated_at_idx" ON "task"("updated_at");

-- CreateIndex
CREATE INDEX "task_search_idx" ON "task" USING GIN ("search" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "task_group_root_id_idx" ON "task_group"("root_id");

-- CreateIndex
CREATE INDEX "workflow_edge_from_id_idx" ON "workflow_edge"("from_id");

-- CreateIndex
CREATE INDEX "workflow_edge_to_id_idx" ON "workflow_edge"("to_id");

-- CreateIndex
CREATE INDEX "queue_sample_broker_queue_at_idx" ON "queue_sample"("broker", "queue", "at");

-- CreateIndex
CREATE INDEX "queue_sample_at_idx" ON "queue_sample"("at");

