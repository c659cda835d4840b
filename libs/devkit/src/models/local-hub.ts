import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';

/**
 * A local stand-in for the Hugging Face hub (real HTTP, not the hub): serves model directories under repo
 * names with the hub's URL layout — the tree API (`/api/models/<repo>/tree/main`), `/resolve/main/<path>`
 * answering LFS files (.onnx) with a 302 to a "CDN" path that honours Range, as the hub does. Tests and
 * the demo's model choice run against it; nothing here claims to be the real hub.
 */
export interface LocalHub {
  url: string;
  /** Paths requested, for assertions. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * `aliases` (per repo, new path → existing path) mirror a real repo's file names where the served directory
 * lacks them, e.g. the `_quantized` graphs of Xenova/nllb-200-distilled-600M for a test model that has only
 * fp32 ones.
 */
export async function startLocalHub(
  repos: Record<string, string>,
  aliases: Record<string, Record<string, string>> = {},
): Promise<LocalHub> {
  const files = new Map<string, Map<string, Buffer>>();
  for (const [repo, dir] of Object.entries(repos)) {
    const tree = readTree(dir);
    for (const [alias, existing] of Object.entries(aliases[repo] ?? {})) {
      const data = tree.get(existing);
      if (!data) throw new Error(`local hub: ${repo} has no ${existing} to serve as ${alias}`);
      tree.set(alias, data);
    }
    files.set(repo, tree);
  }
  const requests: string[] = [];
  const isLfs = (path: string) => path.endsWith('.onnx');
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const path = decodeURIComponent(url.pathname);
    requests.push(path);
    for (const [repo, tree] of files) {
      if (path === `/api/models/${repo}/tree/main`) {
        const entries = [...tree].map(([p, data]) => ({
          type: 'file',
          path: p,
          size: data.length,
          oid: sha(data).slice(0, 40),
          ...(isLfs(p) ? { lfs: { oid: sha(data), size: data.length, pointerSize: 134 } } : {}),
        }));
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
      }
      if (path === `/api/models/${repo}`) {
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: repo }));
      }
      const resolve = `/${repo}/resolve/main/`;
      if (path.startsWith(resolve)) {
        const file = path.slice(resolve.length);
        const data = tree.get(file);
        if (!data) return void res.writeHead(404).end('Entry not found');
        if (!isLfs(file)) return void res.writeHead(200, { 'content-length': data.length }).end(data);
        return void res
          .writeHead(302, {
            location: `/cdn/${encodeURIComponent(repo)}/${encodeURIComponent(file)}`,
            'x-linked-etag': `"${sha(data)}"`,
            'x-linked-size': String(data.length),
          })
          .end();
      }
    }
    const cdn = /^\/cdn\/([^/]+)\/(.+)$/.exec(url.pathname);
    const data = cdn ? files.get(decodeURIComponent(cdn[1]))?.get(decodeURIComponent(cdn[2])) : undefined;
    if (!data) return void res.writeHead(404).end();
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const body = data.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function readTree(dir: string, root = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) readTree(path, root, out);
    else out.set(relative(root, path).split(sep).join('/'), readFileSync(path));
  }
  return out;
}
