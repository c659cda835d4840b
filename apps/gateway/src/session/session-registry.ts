import { Injectable } from '@nestjs/common';

/** Counts live streams per tenant and in total, for admission control and metrics. */
@Injectable()
export class SessionRegistry {
  private total = 0;
  private readonly perTenant = new Map<string, number>();

  get size(): number {
    return this.total;
  }

  countFor(tenantId: string): number {
    return this.perTenant.get(tenantId) ?? 0;
  }

  add(tenantId: string): void {
    this.total++;
    this.perTenant.set(tenantId, this.countFor(tenantId) + 1);
  }

  remove(tenantId: string): void {
    this.total--;
    const n = this.countFor(tenantId) - 1;
    if (n <= 0) this.perTenant.delete(tenantId);
    else this.perTenant.set(tenantId, n);
  }
}
