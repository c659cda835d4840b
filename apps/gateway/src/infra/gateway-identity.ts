import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigService } from '@olt/shared';

/**
 * This gateway instance's id: names its reply stream. Unique per process (pod name + random suffix), so
 * a restarted pod never reads replies meant for its previous life's sessions.
 */
@Injectable()
export class GatewayIdentity {
  readonly id: string;

  constructor(config: ConfigService) {
    const base = config.current.gateway.id || `${hostname()}-${process.pid}`;
    this.id = `${base}-${randomBytes(3).toString('hex')}`;
  }
}
