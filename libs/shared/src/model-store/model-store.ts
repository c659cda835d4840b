import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { failedPrecondition, unavailable } from '../errors';
import { PRECISION_SUFFIXES, resolveModelFile } from '../onnx/model-files';
import { type DownloadProgress, silentProgress } from './download-progress';
import {
  downloadFile,
  type ExpectedFile,
  get,
  HubUnreachableError,
  RemoteFileMissingError,
} from './file-downloader';
import {
  filePrecision,
  findKnownModel,
  KNOWN_MODELS,
  type KnownModel,
  modelFileSet,
  ONNX_GRAPHS,
} from './model-catalog';

export interface ModelStoreOptions {
  /** models.dir (absolute). */
  dir: string;
  /** models.hub_url, e.g. https://huggingface.co */
  hubUrl: string;
  /** models.offline: never contact the hub. */
  offline: boolean;
  /** models.auto_download: `ensure` may download a missing known model. */
  autoDownload: boolean;
  progress?: DownloadProgress;
  /** Extra tries per file after a connection cut (default 3). */
  retries?: number;
}

export interface PulledFile {
  path: string;
  bytes: number;
  /** False when the file was already there, complete. */
  downloaded: boolean;
}

export interface PullResult {
  name: string;
  repo: string;
  dir: string;
  precision: string;
  files: PulledFile[];
}

interface ListingEntry {
  size: number;
  sha256?: string;
}

/**
 * Models on disk, and the Hugging Face hub behind them: `ensure` answers "where is this model" and fetches a
 * known one on first use when allowed; `pull` is the explicit download (the `models pull` command).
 */
export class ModelStore {
  constructor(private readonly options: ModelStoreOptions) {}

  /** `<models.dir>/<name>`, or the name itself when it is an absolute path. */
  modelDir(name: string): string {
    return isAbsolute(name) ? name : resolve(this.options.dir, name);
  }

  /**
   * True when the config/tokenizer JSONs and both graphs of this precision are present ("auto": any
   * precision). Files are renamed into place only when complete, so presence means complete.
   */
  isPresent(name: string, precision: string): boolean {
    const dir = this.modelDir(name);
    const known = findKnownModel(name);
    if (known && !modelFileSet(known.family, 'fp32').required.every((f) => existsSync(join(dir, f)))) {
      return false;
    }
    if (!existsSync(join(dir, 'config.json'))) return false;
    try {
      for (const graph of ONNX_GRAPHS) resolveModelFile(dir, graph, filePrecision(precision));
      return true;
    } catch {
      return false;
    }
  }

  /** Precisions whose two graphs are both on disk ("int8" covers `_int8` and `_quantized`). */
  presentPrecisions(name: string): string[] {
    const dir = this.modelDir(name);
    if (!existsSync(join(dir, 'onnx'))) return [];
    return Object.keys(PRECISION_SUFFIXES)
      .filter((p) => p !== 'quantized')
      .filter((p) => {
        try {
          for (const graph of ONNX_GRAPHS) resolveModelFile(dir, graph, p);
          return true;
        } catch {
          return false;
        }
      });
  }

  /** Whether `ensure` would download this model when a variant is missing. */
  canDownload(name: string): boolean {
    return !isAbsolute(name) && !!findKnownModel(name) && !this.options.offline && this.options.autoDownload;
  }

  /**
   * The model's directory, downloading a known model first when it is missing and downloads are allowed.
   * Errors say what to do: the offline one starts with "no network: put the model under <dir> or set MODELS_DIR".
   */
  async ensure(name: string, precision: string): Promise<string> {
    const dir = this.modelDir(name);
    if (this.isPresent(name, precision)) return dir;
    const known = isAbsolute(name) ? undefined : findKnownModel(name);
    const variant = precision === 'auto' ? (known?.defaultPrecision ?? 'auto') : precision;
    if (!known) {
      // Not ours to download: let the engine load whatever is there and name the missing file itself.
      if (existsSync(dir)) return dir;
      throw failedPrecondition(
        `model ${name} not found at ${dir}; put a Hugging Face ONNX export there, or use one this project ` +
          `can download: ${this.knownNames()}`,
      );
    }
    if (this.options.offline) {
      throw unavailable(
        `${this.noNetwork()} (models.offline is true, so ${name} (${variant}) is not downloaded; ` +
          `expected it at ${dir}, from https://huggingface.co/${known.repo})`,
      );
    }
    if (!this.options.autoDownload) {
      throw failedPrecondition(
        `model ${name} (${variant}) is not in ${dir}; run "npm run models -- pull ${name} --precision ${variant}" ` +
          `or set models.auto_download = true`,
      );
    }
    await this.pull(name, variant);
    return dir;
  }

  /** Downloads (or completes) one precision of a known model into `<models.dir>/<name>`. */
  async pull(nameOrRepo: string, precision?: string): Promise<PullResult> {
    const known = findKnownModel(nameOrRepo);
    if (!known) {
      throw failedPrecondition(
        `unknown model "${nameOrRepo}"; models this project can download: ${this.knownNames()}`,
      );
    }
    const variant = !precision || precision === 'auto' ? known.defaultPrecision : precision;
    const dir = this.modelDir(known.name);
    if (this.options.offline) {
      throw unavailable(`${this.noNetwork()} (models.offline is true; ${known.name} would go to ${dir})`);
    }
    const listing = await this.listing(known);
    const set = modelFileSet(known.family, variant);
    const files: PulledFile[] = [];
    for (const path of set.required) files.push(await this.fetch(known, path, listing, 'required'));
    for (const path of set.optional) {
      if (listing && !listing.has(path)) continue;
      const got = await this.fetch(known, path, listing, 'optional');
      if (got.bytes >= 0) files.push(got);
    }
    for (const { graph, alternatives } of set.graphs) {
      const candidates = listing ? alternatives.filter((p) => listing.has(p)) : alternatives;
      let fetched: PulledFile | undefined;
      for (const path of candidates) {
        const got = await this.fetch(known, path, listing, 'optional');
        if (got.bytes < 0) continue;
        fetched = got;
        files.push(got);
        // Graphs over 2 GB keep their weights in a companion file.
        const data = `${path}_data`;
        if (!listing || listing.has(data)) {
          const extra = await this.fetch(known, data, listing, 'optional');
          if (extra.bytes >= 0) files.push(extra);
        }
        break;
      }
      if (!fetched) {
        throw failedPrecondition(
          `${known.repo} has no ${variant} file for ${graph} (looked for ${alternatives.join(', ')}); ` +
            `choose another precision`,
        );
      }
    }
    return { name: known.name, repo: known.repo, dir, precision: variant, files };
  }

  private async fetch(
    known: KnownModel,
    path: string,
    listing: Map<string, ListingEntry> | undefined,
    kind: 'required' | 'optional',
  ): Promise<PulledFile> {
    const dest = join(this.modelDir(known.name), ...path.split('/'));
    const entry = listing?.get(path);
    if (existsSync(dest) && (!entry || statSync(dest).size === entry.size)) {
      return { path, bytes: statSync(dest).size, downloaded: false };
    }
    const expected: ExpectedFile | undefined = entry ? { size: entry.size, sha256: entry.sha256 } : undefined;
    try {
      const got = await downloadFile({
        url: this.fileUrl(known.repo, path),
        dest,
        expected,
        label: `${known.name}/${path}`,
        progress: this.options.progress ?? silentProgress,
        retries: this.options.retries,
      });
      return { path, bytes: got.bytes, downloaded: true };
    } catch (err) {
      if (err instanceof RemoteFileMissingError && kind === 'optional')
        return { path, bytes: -1, downloaded: false };
      if (err instanceof RemoteFileMissingError) {
        throw failedPrecondition(`${known.repo} has no ${path} (${err.url}); is models.hub_url right?`);
      }
      if (err instanceof HubUnreachableError) throw this.unreachable(err);
      throw err;
    }
  }

  /**
   * The repo's file list with sizes and LFS sha256s (`/api/models/<repo>/tree/main`). A hub mirror without
   * that API still works: sizes and checksums then come from each file's headers.
   */
  private async listing(known: KnownModel): Promise<Map<string, ListingEntry> | undefined> {
    const url = `${this.hub()}/api/models/${known.repo}/tree/main?recursive=true`;
    let body = '';
    try {
      const { res } = await get(url, { accept: 'application/json' });
      if (res.statusCode !== 200) {
        res.resume();
        return undefined;
      }
      for await (const chunk of res as AsyncIterable<Buffer>) body += chunk.toString('utf8');
    } catch (err) {
      if (err instanceof HubUnreachableError) throw this.unreachable(err);
      return undefined;
    }
    try {
      const entries = JSON.parse(body) as Array<{
        type?: string;
        path?: string;
        size?: number;
        lfs?: { oid?: string; size?: number };
      }>;
      const map = new Map<string, ListingEntry>();
      for (const e of Array.isArray(entries) ? entries : []) {
        if (e.type !== 'file' || typeof e.path !== 'string') continue;
        const size = e.lfs?.size ?? e.size;
        if (typeof size !== 'number') continue;
        const oid = e.lfs?.oid?.replace(/^sha256:/, '').toLowerCase();
        map.set(e.path, { size, ...(oid && /^[0-9a-f]{64}$/.test(oid) ? { sha256: oid } : {}) });
      }
      return map.size ? map : undefined;
    } catch {
      return undefined;
    }
  }

  private fileUrl(repo: string, path: string): string {
    return `${this.hub()}/${repo}/resolve/main/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  private hub(): string {
    return this.options.hubUrl.replace(/\/+$/, '');
  }

  private noNetwork(): string {
    return `no network: put the model under ${this.options.dir} or set MODELS_DIR`;
  }

  private unreachable(err: HubUnreachableError) {
    return unavailable(`${this.noNetwork()} (could not reach ${this.hub()}: ${err.reason})`);
  }

  private knownNames(): string {
    return KNOWN_MODELS.map((m) => m.name).join(', ');
  }
}
