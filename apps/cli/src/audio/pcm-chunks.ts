/**
 * Regroups a byte stream (pipes and files deliver arbitrary sizes) into chunks of `chunkBytes`, then the
 * rest in whole frames; stops after `limitBytes` when given (a WAV's declared data size).
 */
export async function* pcmChunks(
  source: AsyncIterable<Buffer>,
  chunkBytes: number,
  frameBytes: number,
  first: Buffer = Buffer.alloc(0),
  limitBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<Buffer> {
  let pending = first;
  let left = limitBytes;
  const take = function* (): Generator<Buffer> {
    while (pending.length >= chunkBytes && left >= chunkBytes) {
      yield pending.subarray(0, chunkBytes);
      pending = pending.subarray(chunkBytes);
      left -= chunkBytes;
    }
  };
  yield* take();
  if (left >= chunkBytes) {
    for await (const piece of source) {
      pending = pending.length ? Buffer.concat([pending, piece]) : piece;
      yield* take();
      if (left < chunkBytes) break;
    }
  }
  const rest = Math.min(pending.length, left);
  const whole = rest - (rest % frameBytes);
  if (whole > 0) yield pending.subarray(0, whole);
}
