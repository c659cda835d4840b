import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface HeldJob {
  jobId: string;
  segmentId: string;
  sessionId: string;
  /** The pid in the worker id that took it (worker ids are `<host>-<pid>-<random>`). */
  pid: number;
}

/**
 * Active jobs of a queue and the worker process holding each (BullMQ `processedBy` = the worker's id):
 * how a chaos test kills a worker that is certainly mid-job.
 */
export class JobHolders {
  private readonly queue: Queue;

  constructor(connection: Redis, queueName: string, prefix = 'olt:bull') {
    this.queue = new Queue(queueName, { connection, prefix });
  }

  async active(): Promise<HeldJob[]> {
    const jobs = await this.queue.getActive();
    return jobs.flatMap((job) => {
      const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(job.processedBy ?? '')?.[1]);
      const data = job.data as { segmentId?: string; reply?: { sessionId?: string } };
      if (!pid || !data.segmentId) return [];
      return [
        { jobId: job.id ?? '', segmentId: data.segmentId, sessionId: data.reply?.sessionId ?? '', pid },
      ];
    });
  }

  /** Polls until some job is active on one of `pids`; undefined after timeoutMs. */
  async waitForHeld(pids: number[], timeoutMs: number): Promise<HeldJob[] | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const held = (await this.active()).filter((j) => pids.includes(j.pid));
      if (held.length) return held;
      await new Promise((r) => setTimeout(r, 15));
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
