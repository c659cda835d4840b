import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { failedPrecondition, unavailable } from '../errors';
import { type DownloadProgress, silentProgress } from './download-progress';

/** What the hub says about a file before it is fetched (listing or LFS headers). */
export interface ExpectedFile {
  size?: number;
  /** Lower-case hex; only LFS files have one (their ETag / x-linked-etag / listing `lfs.oid`). */
  sha256?: string;
}

export interface DownloadFileOptions {
  url: string;
  dest: string;
  expected?: ExpectedFile;
  progress?: DownloadProgress;
  /** Shown in progress and errors (the repo path). */
  label?: string;
  /** Extra tries after a connection cut mid-file, each resuming where the last stopped. Default 3. */
  retries?: number;
  /** A connection silent for this long counts as cut. Default 60 s. */
  idleTimeoutMs?: number;
}

export interface DownloadedFile {
  bytes: number;
  sha256: string;
  /** Bytes that were already in the `.part` file from an earlier, cut attempt. */
  resumedFrom: number;
}

/** The server could not be reached at all (DNS, refused, no route): the "no network" case. */
export class HubUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`could not reach ${url}: ${reason}`);
  }
}

/** The hub answered 404: the file is not in the repo (fine for optional files). */
export class RemoteFileMissingError extends Error {
  constructor(readonly url: string) {
    super(`not found: ${url}`);
  }
}

/** The connection ended before the file did; the `.part` file keeps what arrived. */
class TransferCutError extends Error {}

/**
 * Downloads one file to `dest` through `dest.part`: resumes a `.part` left by a cut with a Range request,
 * checks the size (listing / x-linked-size / Content-Length) and the sha256 (listing / x-linked-etag) and
 * only then renames it into place, so a present file is always a complete, verified file.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadedFile> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadOnce(options);
    } catch (err) {
      if (!(err instanceof TransferCutError) || attempt >= retries) {
        if (err instanceof TransferCutError) {
          throw unavailable(
            `download of ${options.label ?? options.url} was cut ${attempt + 1} times (${err.message}); ` +
              `run it again to resume from ${options.dest}.part`,
          );
        }
        throw err;
      }
    }
  }
}

async function downloadOnce(options: DownloadFileOptions): Promise<DownloadedFile> {
  const { url, dest } = options;
  const label = options.label ?? url;
  const progress = options.progress ?? silentProgress;
  const part = `${dest}.part`;
  mkdirSync(dirname(dest), { recursive: true });

  let existing = fileSize(part);
  if (options.expected?.size !== undefined && existing > options.expected.size) existing = 0;
  const reply = await get(url, existing > 0 ? { Range: `bytes=${existing}-` } : {}, options.idleTimeoutMs);
  const { res } = reply;

  if (res.statusCode === 404) {
    res.resume();
    throw new RemoteFileMissingError(url);
  }
  // 416: the .part already holds every byte (a cut right at the end); verify it as it is.
  const complete = res.statusCode === 416 && existing > 0;
  if (!complete && res.statusCode !== 200 && res.statusCode !== 206) {
    res.resume();
    throw unavailable(`the model hub answered HTTP ${res.statusCode} for ${url}`);
  }
  if (res.statusCode === 200) existing = 0; // the server ignored the Range: start over

  const expectedSha = options.expected?.sha256 ?? sha256FromEtag(reply.linkedEtag ?? header(res, 'etag'));
  const length = Number(header(res, 'content-length') ?? NaN);
  const total =
    options.expected?.size ??
    reply.linkedSize ??
    (res.statusCode === 206 ? contentRangeTotal(header(res, 'content-range')) : undefined) ??
    (res.statusCode === 200 && Number.isFinite(length) ? length : undefined);

  const hash = createHash('sha256');
  if (existing > 0) await hashFile(part, existing, hash);
  let done = existing;
  if (complete) {
    res.resume();
  } else {
    const out = createWriteStream(part, { flags: existing > 0 ? 'r+' : 'w', start: existing });
    progress.start(label, total, existing);
    let received = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        hash.update(chunk);
        received += chunk.length;
        done += chunk.length;
        if (total !== undefined && done > total) break;
        if (!out.write(chunk)) await once(out, 'drain');
        progress.advance(label, done, total);
      }
    } catch (err) {
      throw new TransferCutError((err as Error).message || 'connection reset');
    } finally {
      out.end();
      await once(out, 'close');
    }
    res.destroy();
    // A response shorter than its own Content-Length is a cut, not a bad file: resume it.
    if (Number.isFinite(length) && received < length && !(total !== undefined && done > total)) {
      throw new TransferCutError(`connection closed after ${received} of ${length} bytes`);
    }
  }

  if (total !== undefined && done !== total) {
    rmSync(part, { force: true });
    throw failedPrecondition(
      `size mismatch for ${label}: expected ${total} bytes, got ${done}; the partial file was deleted, try again`,
    );
  }
  const sha256 = hash.digest('hex');
  if (expectedSha && sha256 !== expectedSha) {
    rmSync(part, { force: true });
    throw failedPrecondition(
      `checksum mismatch for ${label}: expected sha256 ${expectedSha}, got ${sha256}; the file was deleted, try again`,
    );
  }
  progress.finish(label, done);
  renameSync(part, dest);
  return { bytes: done, sha256, resumedFrom: existing };
}

interface HubReply {
  res: IncomingMessage;
  /** From the first hop: the hub puts the LFS sha256 and size there before redirecting to its CDN. */
  linkedEtag?: string;
  linkedSize?: number;
}

/** GET with redirects followed by hand, so the hub's x-linked-* headers of the first hop are kept. */
export async function get(
  url: string,
  headers: Record<string, string> = {},
  idleTimeoutMs = 60_000,
): Promise<HubReply> {
  let current = url;
  let linkedEtag: string | undefined;
  let linkedSize: number | undefined;
  for (let hop = 0; hop < 6; hop++) {
    const res = await requestOnce(current, headers, idleTimeoutMs);
    linkedEtag ??= header(res, 'x-linked-etag');
    const size = Number(header(res, 'x-linked-size') ?? NaN);
    if (linkedSize === undefined && Number.isFinite(size)) linkedSize = size;
    const location = header(res, 'location');
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
      res.resume();
      current = new URL(location, current).toString();
      continue;
    }
    return { res, linkedEtag, linkedSize };
  }
  throw unavailable(`too many redirects from ${url}`);
}

function requestOnce(
  url: string,
  headers: Record<string, string>,
  idleTimeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { headers: { 'user-agent': 'obs-live-translator', ...headers } }, (res) => {
      res.setTimeout?.(idleTimeoutMs, () => res.destroy(new Error(`no data for ${idleTimeoutMs} ms`)));
      resolve(res);
    });
    req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no answer for ${idleTimeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(new HubUnreachableError(url, err.code ?? err.message)),
    );
  });
}

function header(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** ETags of LFS files are their sha256 (quoted, maybe weak); git blob ETags (sha1) are not used. */
export function sha256FromEtag(etag: string | undefined): string | undefined {
  const value = etag?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return value && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
}

function contentRangeTotal(value: string | undefined): number | undefined {
  const match = value && /\/(\d+)\s*$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

async function hashFile(file: string, bytes: number, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file, { start: 0, end: bytes - 1 }))
    hash.update(chunk as Buffer);
}
