import { z } from 'zod';

/** Language codes, model ids and tenant ids as keys carry them; glob characters are refused, not escaped. */
const token = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'letters, digits, _ . - only');

export const invalidationRequest = z.union(
  [
    z.strictObject({ model: token }),
    z.strictObject({ tenant: token }),
    z.strictObject({ src: token, dst: token }),
  ],
  // Zod's own union message is "Invalid input": say which shapes are accepted instead.
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'send exactly one scope: {"model": "…"}, {"tenant": "…"} or {"src": "…", "dst": "…"}'
        : undefined,
  },
);
export type InvalidationRequest = z.infer<typeof invalidationRequest>;

/**
 * The SCAN pattern for a scope, from the key layout `tr:v1:{src}:{dst}:{model}:[t.{tenant}:]{sha256}`
 * (translationCacheKey). Model and pair patterns include tenant-scoped entries; the tenant pattern only
 * tenant-scoped ones (shared entries belong to no tenant).
 */
export function invalidationPattern(req: InvalidationRequest): {
  scope: 'model' | 'tenant' | 'pair';
  pattern: string;
} {
  if ('model' in req) return { scope: 'model', pattern: `tr:v1:*:*:${req.model}:*` };
  if ('tenant' in req) return { scope: 'tenant', pattern: `tr:v1:*:*:*:t.${req.tenant}:*` };
  return { scope: 'pair', pattern: `tr:v1:${req.src}:${req.dst}:*` };
}

export const TRANSLATION_KEYS = 'tr:v1:*';
