import { BadRequestException, Body, Controller, Get, Inject, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Metrics } from '@olt/shared';
import { HotKeySnapshots } from '../hot-keys/hot-key-snapshots';
import { CacheStatsRecorder } from '../stats/cache-stats.service';
import { CACHE_STORE, type CacheStore, type HotEntry } from '../store/cache-store.port';
import { AdminTokenGuard } from './admin-token.guard';
import { invalidationPattern, invalidationRequest } from './invalidation-scope';

const hotEntries = z.strictObject({
  entries: z
    .array(
      z.strictObject({
        key: z.string().regex(/^tr:v1:/, 'must be a translation cache key (tr:v1:…)'),
        value: z.string(),
        ttlS: z.int(),
        freq: z.int().min(0).max(255),
      }),
    )
    .max(1_000_000),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  // Express leaves the body undefined for other content types, and arrays pass its JSON parser.
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequestException('the body must be a JSON object sent with Content-Type: application/json');
  const result = schema.safeParse(body);
  if (!result.success) throw new BadRequestException(z.prettifyError(result.error));
  return result.data;
}

@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    private readonly stats: CacheStatsRecorder,
    private readonly snapshots: HotKeySnapshots,
    private readonly metrics: Metrics,
  ) {}

  @Get('stats')
  async getStats() {
    const server = await this.stats.poll();
    const { hit, miss } = this.stats.lookups;
    return {
      server,
      lookups: { hit, miss, hitRate: hit + miss ? hit / (hit + miss) : null },
      writes: { ...this.stats.writes },
    };
  }

  /** Body: {"model": "…"} | {"tenant": "…"} | {"src": "…", "dst": "…"}. */
  @Post('invalidate')
  async invalidate(@Body() body: unknown) {
    const { scope, pattern } = invalidationPattern(parse(invalidationRequest, body));
    const deleted = await this.store.deleteMatching(pattern);
    this.metrics.get('cacheInvalidatedTotal').inc({ scope }, deleted);
    return { scope, pattern, deleted };
  }

  @Get('hot-keys')
  async exportHotKeys(@Query('limit') limit?: string) {
    const n = limit === undefined ? undefined : Number(limit);
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 1_000_000))
      throw new BadRequestException('limit must be an integer from 1 to 1000000');
    return { entries: await this.snapshots.export(n) };
  }

  @Post('hot-keys')
  async importHotKeys(@Body() body: unknown) {
    const { entries } = parse(hotEntries, body);
    return { loaded: await this.snapshots.import(entries as HotEntry[]) };
  }
}
