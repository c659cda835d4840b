export interface WarmingJob {
  tenant: string;
  stream: string;
  text: string;
  src: string;
  dst: string;
  cacheKey: string;
}

/** Port: the translate queue as warming sees it. */
export interface WarmingQueue {
  /** Real (non-warming) translate jobs waiting to start: warming stops while this is above zero. */
  realJobsWaiting(): Promise<number>;
  /** Warming jobs queued or running now. */
  warmingJobsPending(): Promise<number>;
  /** Adds a warming job at the lowest priority; false when one for this key is already queued. */
  enqueue(job: WarmingJob): Promise<boolean>;
}

export const WARMING_QUEUE = Symbol('WarmingQueue');

/** Below every real job (jobPriority gives real jobs 1…~300); BullMQ's maximum is 2,097,151. */
export const WARMING_PRIORITY = 2_097_151;
