/**
 * Settles as `p` does, or rejects with "no answer within <ms> ms" once `ms` have passed. The timer neither
 * outlives the race nor holds the process open. `p` itself is not cancelled: its answer is dropped.
 */
export function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
