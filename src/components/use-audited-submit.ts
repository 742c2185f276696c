"use client";
// Submitting an audited form (alert rules, channels, silences, acknowledgements): each submission
// carries an idempotency key, kept when the server never answered (a re-send must not act twice)
// and renewed once it answered, so the next submission of the same form acts again.

import { useState } from "react";
import { keyAfterFailure } from "../app/_lib/submission-key";

export type SubmitState = { status: "idle" | "sending" | "done" } | { status: "failed"; message: string };

export function useAuditedSubmit<I extends { idempotencyKey: string }, R>(send: (input: I) => Promise<R>, onDone?: (result: R) => void) {
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [state, setState] = useState<SubmitState>({ status: "idle" });
  const submit = async (input: Omit<I, "idempotencyKey">): Promise<void> => {
    setState({ status: "sending" });
    try {
      const result = await send({ ...input, idempotencyKey: key } as I);
      setKey(crypto.randomUUID());
      setState({ status: "done" });
      onDone?.(result);
    } catch (error) {
      setKey((current) => keyAfterFailure(error, current, () => crypto.randomUUID()));
      setState({ status: "failed", message: (error as Error).message });
    }
  };
  return { submit, state, reset: () => setState({ status: "idle" }) };
}
