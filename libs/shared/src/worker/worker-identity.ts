import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A worker process's id: names its heartbeat and appears in replies and logs. */
@Injectable()
export class WorkerIdentity {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
