// One capture record as the observations the store merges: the single code path both the capture
// consumer (records off the broker) and recordPublished (records made in-process) go through.

import { CeleryError } from "../../celery/index";
import { type CaptureRecord, MalformedCaptureRecord, publishedMessageOf } from "./capture-record";
import type { IngestBatch } from "./observation";
import { workflowGraph } from "./workflow-graph";

const UNREADABLE_MESSAGE: ReadonlySet<string> = new Set(["MALFORMED_MESSAGE", "DECODE_ERROR", "CONTENT_DISALLOWED", "INVALID_CANVAS"]);

/**
 * The task and its workflow plan a record describes. A record whose task message is not a valid
 * Celery task message throws MalformedCaptureRecord with the library's reason; anything else
 * thrown is a bug and propagates.
 */
export function captureBatch(record: CaptureRecord): IngestBatch {
  try {
    return workflowGraph(publishedMessageOf(record));
  } catch (error) {
    if (error instanceof CeleryError && UNREADABLE_MESSAGE.has(error.code)) throw new MalformedCaptureRecord(`task message: ${error.message}`, { cause: error });
    throw error;
  }
}
