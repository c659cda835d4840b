import { Injectable } from '@nestjs/common';

/**
 * Counts this gateway's live streams (its own capacity, gateway.max_streams). A tenant's streams are
 * counted across the fleet by TenantStreamLeases, not here.
 */
@Injectable()
export class SessionRegistry {
  private total = 0;

  get size(): number {
    return this.total;
  }

  add(): void {
    this.total++;
  }

  remove(): void {
    this.total--;
  }
}
