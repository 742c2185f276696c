// Options of apply_async / Signature.options, with Celery's own (wire) names; mirrors celery.app.task.Task.apply_async.

import type { SignatureDict } from "./signature-dict";

/**
 * Execution options. They keep Celery's snake_case names because signatures carry them on the
 * wire verbatim (`options` of a signature dict) and Python reads them back.
 */
export interface TaskOptions {
  task_id?: string;
  queue?: string;
  routing_key?: string;
  exchange?: string;
  priority?: number;
  /** Seconds from now; converted to an `eta` header by the sender. */
  countdown?: number;
  /** ISO-8601 string or Date. */
  eta?: string | Date;
  /** ISO-8601 string, Date, or seconds from now. */
  expires?: string | Date | number;
  headers?: Record<string, unknown>;
  shadow?: string;
  ignore_result?: boolean;
  time_limit?: number;
  soft_time_limit?: number;
  link?: SignatureDict | SignatureDict[];
  link_error?: SignatureDict | SignatureDict[];
  reply_to?: string;
  group_id?: string;
  group_index?: number;
  chord?: SignatureDict;
  chain?: SignatureDict[];
  root_id?: string;
  parent_id?: string;
  retries?: number;
  [extra: string]: unknown;
}
