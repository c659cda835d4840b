/**
 * Ctrl+C for a streaming command: the first SIGINT asks for a clean end (the caller half-closes the call
 * so the open segment's final is still received and written), a second one exits at once with 130
 * (128 + SIGINT, what shells report). Returns the signal to pass on and a function to uninstall.
 */
export function interruptOnCtrlC(
  onFirst: () => void,
  exitNow: (code: number) => never = (code) => process.exit(code),
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) exitNow(130);
    onFirst();
    controller.abort();
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}
