// POSTs JSON to a webhook and says what the receiver answered; anything but a 2xx is a failure
// the caller retries. Redirects are not followed: a signed request goes only where it was sent.

/** Longest part of a receiver's answer kept in the delivery record. */
const ANSWER_CHARACTERS = 200;

export class DeliveryFailed extends Error {
  override readonly name = "DeliveryFailed";
}

/** Resolves to "HTTP <status>" on a 2xx; throws DeliveryFailed saying what went wrong otherwise. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "user-agent": "celeriac-alerts", ...headers }, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new DeliveryFailed(`could not reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const answer = (await response.text().catch(() => "")).slice(0, ANSWER_CHARACTERS);
  if (response.status >= 200 && response.status < 300) return `HTTP ${response.status}`;
  throw new DeliveryFailed(`${new URL(url).origin} answered HTTP ${response.status}${answer ? `: ${answer}` : ""}`);
}
