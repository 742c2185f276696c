// An action's idempotency key survives a lost connection (the re-send must act once) and is
// replaced after the server answered with an error (the next attempt is a new submission).

import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { keyAfterFailure } from "../../src/app/_lib/submission-key";

const fresh = () => "new-key";

describe("keyAfterFailure", () => {
  it("keeps the key when no answer came back", () => {
    expect(keyAfterFailure(new TypeError("Failed to fetch"), "k1", fresh)).toBe("k1");
    expect(keyAfterFailure(new TRPCClientError("Unable to transform response from server"), "k1", fresh)).toBe("k1");
    expect(keyAfterFailure(null, "k1", fresh)).toBe("k1");
  });

  it("takes a new key after the server refused or failed the action", () => {
    const refused = TRPCClientError.from({ error: { message: "This needs the operator role", code: -32603, data: { code: "FORBIDDEN", httpStatus: 403 } } });
    expect(refused.data).toBeDefined();
    expect(keyAfterFailure(refused, "k1", fresh)).toBe("new-key");
  });
});
