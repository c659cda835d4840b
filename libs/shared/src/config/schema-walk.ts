import type { z } from 'zod';
import type { KeyPath } from './config-sources';
import { configSchema } from './schema';

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  out?: AnySchema;
  element?: AnySchema;
  shape?: Record<string, AnySchema>;
}

const defOf = (schema: AnySchema) => schema._zod.def as unknown as Def;

/** Strips defaults, optionals and pipes down to the schema that says what a value must look like. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.innerType && ['default', 'prefault', 'optional', 'nullable', 'readonly'].includes(def.type))
      current = def.innerType;
    else if (def.type === 'pipe' && def.in && def.out)
      current = defOf(def.out).type === 'transform' ? def.in : def.out;
    else return current;
  }
}

/**
 * The schema of the key at `path` (in the raw snake_case config) and, for a table, its known keys.
 * Used to type env values and to suggest the closest key for a typo.
 */
export function schemaAt(path: KeyPath): { schema: AnySchema; keys: string[] } | undefined {
  let current: AnySchema = configSchema;
  for (const part of path) {
    const def = defOf(unwrap(current));
    if (def.type === 'object' && def.shape && typeof part === 'string' && part in def.shape)
      current = def.shape[part];
    else if (def.type === 'array' && def.element && typeof part === 'number') current = def.element;
    else return undefined;
  }
  const def = defOf(unwrap(current));
  return { schema: current, keys: def.type === 'object' && def.shape ? Object.keys(def.shape) : [] };
}
