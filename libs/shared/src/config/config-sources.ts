import { isPlainObject } from './key-case';

/** A path into the raw (snake_case) configuration, e.g. ['tenants', 0, 'id']. */
export type KeyPath = readonly (string | number)[];

/** `vad.threshold`, `tenants[0].id`: the spelling operators see in the TOML file and in error messages. */
export function formatPath(path: KeyPath): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${part}` : part;
  }, '');
}

/**
 * The merged raw configuration plus, for every key, which layers set it (file, env var, overrides), so an
 * error can tell the operator where to fix a bad value.
 */
export class LayeredConfig {
  readonly data: Record<string, unknown> = {};
  private readonly sources = new Map<string, string[]>();

  set(path: KeyPath, value: unknown, source: string): void {
    let node = this.data;
    path.slice(0, -1).forEach((part) => {
      const key = String(part);
      if (!isPlainObject(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    });
    node[String(path[path.length - 1])] = value;
    this.note(path, source);
  }

  /** Deep-merges `value` at the root; tables merge key by key, arrays and scalars replace. */
  merge(value: Record<string, unknown>, source: string, base: KeyPath = []): void {
    for (const [key, inner] of Object.entries(value)) {
      if (inner === undefined) continue;
      const path = [...base, key];
      if (isPlainObject(inner) && isPlainObject(this.get(path))) this.merge(inner, source, path);
      else if (isPlainObject(inner)) {
        this.set(path, {}, source);
        this.merge(inner, source, path);
      } else this.set(path, inner, source);
    }
  }

  get(path: KeyPath): unknown {
    let node: unknown = this.data;
    for (const part of path) {
      if (typeof node !== 'object' || node === null) return undefined;
      node = (node as Record<string, unknown>)[String(part)];
    }
    return node;
  }

  /** Layers that set this key, one of its parents (a whole table or array) or one of its children. */
  sourcesOf(path: KeyPath): string[] {
    const target = formatPath(path);
    const related = (key: string) =>
      key === target || isPrefix(key, target) || isPrefix(target, key) || target === '';
    const found: string[] = [];
    for (const [key, list] of this.sources) {
      if (!related(key)) continue;
      for (const source of list) if (!found.includes(source)) found.push(source);
    }
    return found;
  }

  private note(path: KeyPath, source: string): void {
    const key = formatPath(path);
    const list = this.sources.get(key) ?? [];
    if (!list.includes(source)) list.push(source);
    this.sources.set(key, list);
  }
}

function isPrefix(prefix: string, key: string): boolean {
  return key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`);
}
