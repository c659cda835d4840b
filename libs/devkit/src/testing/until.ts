/**
 * Polls `check` every `everyMs` until it holds; rejects with "timed out waiting for <what>" after
 * `timeoutMs`. Tests wait for a condition with this, never with a bare sleep.
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
