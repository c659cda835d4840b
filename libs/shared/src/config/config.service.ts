import { type FSWatcher, readFileSync, watch as watchDir } from 'node:fs';
import { dirname } from 'node:path';
import type { OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '../logging/create-logger';
import { formatPath } from './config-sources';
import { deepFreeze } from './deep-freeze';
import { maskUrlPassword } from './describe-issues';
import { camelToSnake } from './key-case';
import { configWarnings, loadConfigText, type LoadConfigOptions, resolveConfigFile } from './load-config';
import { type AppConfig, isReloadable } from './schema';

/** Where ConfigService reports reloads; a pino logger fits. */
export interface ConfigLogPort {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ConfigServiceOptions extends LoadConfigOptions {
  /** Default: a pino logger named "config" at the configured level. */
  logger?: ConfigLogPort;
  /** Quiet time after the last file event before re-reading (editors write in several steps). */
  debounceMs?: number;
}

export type ConfigChangeListener = (next: AppConfig, prev: AppConfig) => void;

interface Change {
  key: string;
  from: unknown;
  to: unknown;
}

/**
 * Holds the current configuration and, once `watch()` is called, follows edits of the file: a valid edit
 * changes only the reloadable keys (vad.*, limits.*, log.level) and notifies listeners; an invalid edit is
 * logged and the old values stay; edits of other keys are logged as needing a restart.
 */
export class ConfigService implements OnModuleDestroy {
  readonly file: string;
  private config: AppConfig;
  private lastText: string;
  private readonly listeners = new Set<ConfigChangeListener>();
  private readonly log: ConfigLogPort;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: ConfigServiceOptions = {}) {
    this.file = resolveConfigFile(options);
    this.lastText = readFileSync(this.file, 'utf8');
    this.config = loadConfigText(this.lastText, this.file, this.env, options.overrides);
    this.log =
      options.logger ??
      createLogger({ name: 'config', level: this.config.log.level, pretty: this.config.log.pretty });
    for (const warning of configWarnings(this.config)) this.log.warn({ file: this.file }, warning);
  }

  get current(): AppConfig {
    return this.config;
  }

  /** Called after each accepted reload with the new and the previous config; returns an unsubscribe. */
  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Watches the file's directory rather than the file: editors and Kubernetes ConfigMaps replace the file
   * (rename or symlink swap), which a watch on the old inode would miss. Any event re-reads the file;
   * unchanged text is ignored.
   */
  watch(): void {
    if (this.watcher) return;
    this.watcher = watchDir(dirname(this.file), () => this.schedule());
    this.watcher.on('error', (err) =>
      this.log.error(
        { file: this.file, err },
        `config: watching ${this.file} failed; edits are not followed`,
      ),
    );
  }

  /** Re-reads the file now (the watcher calls this after the debounce); returns whether config changed. */
  reload(): boolean {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      this.log.error(
        { file: this.file, err },
        `config: cannot read ${this.file}; keeping the current values`,
      );
      return false;
    }
    if (text === this.lastText) return false;
    this.lastText = text;

    let candidate: AppConfig;
    try {
      candidate = loadConfigText(text, this.file, this.env, this.options.overrides);
    } catch (err) {
      const problem = err instanceof Error ? err.message.replace(/\n/g, '; ') : String(err);
      this.log.error({ file: this.file }, `${problem}; keeping the current values`);
      return false;
    }
    return this.apply(candidate);
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  onModuleDestroy(): void {
    this.close();
  }

  private get env() {
    return this.options.env ?? process.env;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), this.options.debounceMs ?? 150);
  }

  private apply(candidate: AppConfig): boolean {
    const changes = diff(this.config, candidate);
    const ignored = changes.filter((c) => !isReloadable(c.key));
    const applied = changes.filter((c) => isReloadable(c.key));
    for (const change of ignored) {
      this.log.warn(
        { file: this.file, key: change.key },
        `config: ${change.key} changed to ${show(change.key, change.to)} but needs a restart; ` +
          `keeping ${show(change.key, change.from)}`,
      );
    }
    if (!applied.length) return false;

    const prev = this.config;
    const next = structuredClone(prev) as AppConfig;
    for (const change of applied) setAt(next, change.path, change.to);
    this.config = deepFreeze(next);
    this.log.info(
      { file: this.file, changes: applied.map(({ key, from, to }) => ({ key, from, to })) },
      `config: reloaded ${applied.map((c) => `${c.key} ${show(c.key, c.from)} -> ${show(c.key, c.to)}`).join(', ')}`,
    );
    for (const listener of this.listeners) {
      try {
        listener(next, prev);
      } catch (err) {
        this.log.error({ err }, 'config: a change listener threw; other listeners still ran');
      }
    }
    return true;
  }
}

type PathChange = Change & { path: string[] };

/** Leaf-by-leaf differences; arrays count as one value. Keys come out in snake_case, as operators write them. */
function diff(prev: unknown, next: unknown, path: string[] = []): PathChange[] {
  if (isTable(prev) && isTable(next)) {
    const keys = new Set([...Object.keys(prev), ...Object.keys(next)]);
    return [...keys].flatMap((key) => diff(prev[key], next[key], [...path, key]));
  }
  if (JSON.stringify(prev) === JSON.stringify(next)) return [];
  return [{ key: formatPath(path.map(camelToSnake)), path, from: prev, to: next }];
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[path[path.length - 1]] = value;
}

/** Values go into logs: tenants (API keys) are never printed, URL passwords are masked. */
function show(key: string, value: unknown): string {
  if (key.startsWith('tenants')) return '(tenant list, not logged)';
  if (typeof value === 'string') return JSON.stringify(maskUrlPassword(value));
  return JSON.stringify(value) ?? 'nothing';
}
