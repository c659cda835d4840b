/** Where Redis helpers report connection state and policy findings; a pino logger fits. */
export interface RedisLogPort {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * The two Redis servers of a deployment: `queue` (BullMQ jobs, segment audio, reply streams; must never
 * evict) and `cache` (translations; should evict least-frequently-used keys).
 */
export type RedisRole = 'queue' | 'cache';
