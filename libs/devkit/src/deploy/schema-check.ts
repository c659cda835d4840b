/**
 * A small JSON-Schema subset (type, required, properties, additionalProperties, items, enum, pattern,
 * minimum, minItems, oneOf-free) for the CRDs that kubernetes-models does not ship (KEDA, Prometheus
 * operator, Gateway API). Enough to catch misspelt or misplaced fields in what the chart renders.
 */
export interface LiteSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | Array<'string' | 'integer'>;
  required?: string[];
  properties?: Record<string, LiteSchema>;
  /** false: unknown keys are errors; a schema: every unknown key's value must match it. */
  additionalProperties?: boolean | LiteSchema;
  items?: LiteSchema;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  minItems?: number;
}

export function checkSchema(value: unknown, schema: LiteSchema, path = ''): string[] {
  const at = path || '/';
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) {
    return [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`];
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length && !types.some((t) => hasType(value, t))) {
    return [`${at}: expected ${types.join(' or ')}, got ${JSON.stringify(value)}`];
  }
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    problems.push(`${at}: ${value} is below ${schema.minimum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      problems.push(`${at}: needs at least ${schema.minItems} items`);
    }
    if (schema.items) value.forEach((v, i) => problems.push(...checkSchema(v, schema.items!, `${path}/${i}`)));
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in obj)) problems.push(`${at}: missing required field "${key}"`);
    }
    for (const [key, v] of Object.entries(obj)) {
      const sub = schema.properties?.[key];
      if (sub) problems.push(...checkSchema(v, sub, `${path}/${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}/${key}: unknown field`);
      else if (typeof schema.additionalProperties === 'object') {
        problems.push(...checkSchema(v, schema.additionalProperties, `${path}/${key}`));
      }
    }
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}
