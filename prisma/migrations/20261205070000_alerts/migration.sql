-- CreateTable
CREATE TABLE "alert_rule" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'store',
    "kind" TEXT NOT NULL,
    "selector" TEXT NOT NULL DEFAULT '*',
    "window_seconds" INTEGER NOT NULL,
    "fire_threshold" DOUBLE PRECISION NOT NULL,
    "resolve_threshold" DOUBLE PRECISION NOT NULL,
    "for_seconds" INTEGER NOT NULL DEFAULT 0,
    "resolve_for_seconds" INTEGER NOT NULL DEFAULT 0,
    "min_count" INTEGER NOT NULL DEFAULT 1,
    "severity" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT '*',
    "channels" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "description" TEXT,
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_channel" (
    "name" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'store',
    "type" TEXT NOT NULL,
    "url" TEXT,
    "secret" TEXT,
    "recipients" TEXT[],
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_channel_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "alert_state" (
    "rule_id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "since" TIMESTAMPTZ(6) NOT NULL,
    "fired_at" TIMESTAMPTZ(6),
    "notified" BOOLEAN NOT NULL DEFAULT false,
    "link" TEXT NOT NULL,
    "evaluated_at" TIMESTAMPTZ(6) NOT NULL,
    "acknowledged_by" TEXT,
    "acknowledged_at" TIMESTAMPTZ(6),
    "acknowledge_note" TEXT,

    CONSTRAINT "alert_state_pkey" PRIMARY KEY ("rule_id","subject")
);

-- CreateTable
CREATE TABLE "alert_event" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "rule_id" TEXT NOT NULL,
    "rule_name" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "message" TEXT NOT NULL,
    "link" TEXT NOT NULL,
    "actor" TEXT,
    "silenced_by" TEXT,

    CONSTRAINT "alert_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_delivery" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "channel" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(6),
    "last_error" TEXT,
    "response" TEXT,
    "sent_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_silence" (
    "id" BIGSERIAL NOT NULL,
    "rule_id" TEXT,
    "subject" TEXT NOT NULL DEFAULT '*',
    "starts_at" TIMESTAMPTZ(6) NOT NULL,
    "ends_at" TIMESTAMPTZ(6) NOT NULL,
    "created_by" TEXT NOT NULL,
    "reason" TEXT,
    "expired_by" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_silence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_runner" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "last_run_at" TIMESTAMPTZ(6),
    "last_error" TEXT,
    "rules_file" TEXT,
    "rules_file_loaded_at" TIMESTAMPTZ(6),
    "rules_file_error" TEXT,

    CONSTRAINT "alert_runner_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "alert_rule_name_key" ON "alert_rule"("name");

-- CreateIndex
CREATE INDEX "alert_event_at_idx" ON "alert_event"("at");

-- CreateIndex
CREATE INDEX "alert_event_rule_id_at_idx" ON "alert_event"("rule_id", "at");

-- CreateIndex
CREATE INDEX "alert_delivery_status_next_attempt_at_idx" ON "alert_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "alert_delivery_event_id_idx" ON "alert_delivery"("event_id");

-- CreateIndex
CREATE INDEX "alert_silence_ends_at_idx" ON "alert_silence"("ends_at");

