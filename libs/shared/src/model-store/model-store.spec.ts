import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { AppError } from '../errors';
import { PeriodicProgressLines, TerminalProgressBar } from './download-progress';
import { ModelStore } from './model-store';

const REPO = 'onnx-community/whisper-tiny';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The files of a small fake repo: JSON configs (plain git files) and LFS-stored ONNX graphs. */
const FILES: Record<string, Buffer> = {
  'config.json': Buffer.from('{"model_type":"whisper"}'),
  'generation_config.json': Buffer.from('{}'),
  'preprocessor_config.json': Buffer.from('{"feature_size":80}'),
  'tokenizer.json': Buffer.from('{"model":{}}'),
  'tokenizer_config.json': Buffer.from('{}'),
  'onnx/encoder_model_int8.onnx': randomBytes(300_000),
  'onnx/decoder_model_merged_int8.onnx': randomBytes(200_000),
  'onnx/encoder_model.onnx': randomBytes(1000),
  'onnx/decoder_model_merged.onnx': randomBytes(1000),
};
const isLfs = (path: string) => path.endsWith('.onnx');

/** What the test server does differently, per test. */
interface HubBehaviour {
  listing: boolean;
  /** Bytes after which the first `cuts` responses for a path drop the connection. */
  cutAt?: { path: string; bytes: number; cuts: number };
  /** Serve this path shorter than the listing says (a bad mirror, a changed file). */
  truncate?: string;
  /** Listing / header sha256 that does not match the bytes. */
  wrongSha?: string;
}

/**
 * A local stand-in for the Hugging Face hub (real HTTP): the tree API, `/resolve/main/` with a 302 to a "CDN"
 * path carrying x-linked-etag / x-linked-size as the hub does for LFS files, and Range support on the CDN.
 */
class FakeHub {
  behaviour: HubBehaviour = { listing: true };
  readonly ranges: Array<{ path: string; range: string }> = [];
  readonly requests: string[] = [];
  private readonly cutsDone = new Map<string, number>();
  private server!: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  reset(behaviour: HubBehaviour): void {
    this.behaviour = behaviour;
    this.ranges.length = 0;
    this.requests.length = 0;
    this.cutsDone.clear();
  }

  private shaOf(path: string): string {
    return this.behaviour.wrongSha === path ? 'f'.repeat(64) : sha256(FILES[path]);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(url.pathname);
    if (url.pathname === `/api/models/${REPO}/tree/main`) {
      if (!this.behaviour.listing) return void res.writeHead(404).end('{"error":"not found"}');
      const entries = Object.entries(FILES).map(([path, data]) => ({
        type: 'file',
        path,
        size: data.length,
        oid: 'a'.repeat(40),
        ...(isLfs(path) ? { lfs: { oid: this.shaOf(path), size: data.length, pointerSize: 134 } } : {}),
      }));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
    }
    const resolvePrefix = `/${REPO}/resolve/main/`;
    if (url.pathname.startsWith(resolvePrefix)) {
      const path = decodeURIComponent(url.pathname.slice(resolvePrefix.length));
      const data = FILES[path];
      if (!data) return void res.writeHead(404).end('Entry not found');
      if (!isLfs(path)) {
        return void res
          .writeHead(200, { 'content-length': data.length, etag: `"${'b'.repeat(40)}"` })
          .end(data);
      }
      return void res
        .writeHead(302, {
          location: `/cdn/${encodeURIComponent(path)}`,
          'x-linked-etag': `"${this.shaOf(path)}"`,
          'x-linked-size': String(data.length),
        })
        .end();
    }
    if (url.pathname.startsWith('/cdn/'))
      return this.serveCdn(decodeURIComponent(url.pathname.slice(5)), req, res);
    res.writeHead(404).end();
  }

  private serveCdn(path: string, req: IncomingMessage, res: ServerResponse): void {
    let data = FILES[path];
    if (this.behaviour.truncate === path) data = data.subarray(0, data.length - 10);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (req.headers.range) this.ranges.push({ path, range: req.headers.range });
    const start = range ? Number(range[1]) : 0;
    if (start >= data.length && range) {
      return void res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
    }
    const body = data.subarray(start);
    const headers: http.OutgoingHttpHeaders = { 'content-length': body.length, 'accept-ranges': 'bytes' };
    if (range) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    res.writeHead(range ? 206 : 200, headers);
    const cut = this.behaviour.cutAt;
    const done = this.cutsDone.get(path) ?? 0;
    if (cut && cut.path === path && done < cut.cuts) {
      this.cutsDone.set(path, done + 1);
      // Send part of the file, then drop the connection as a flaky network would.
      res.write(body.subarray(0, cut.bytes), () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    res.end(body);
  }
}

const hub = new FakeHub();
let dir: string;

before(() => hub.start());
after(() => hub.stop());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'olt-models-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const store = (overrides: Partial<ConstructorParameters<typeof ModelStore>[0]> = {}) =>
  new ModelStore({ dir, hubUrl: hub.url, offline: false, autoDownload: true, retries: 3, ...overrides });

function assertSameFile(path: string): void {
  const got = readFileSync(join(dir, 'whisper-tiny', ...path.split('/')));
  assert.equal(sha256(got), sha256(FILES[path]), `${path} has the hub's bytes`);
}

describe('ModelStore.pull against a local hub (real HTTP)', () => {
  it('downloads the JSONs and both int8 graphs, verified, and leaves no .part files', async () => {
    hub.reset({ listing: true });
    const result = await store().pull('whisper-tiny', 'int8');
    assert.equal(result.repo, REPO);
    assert.deepEqual(
      result.files.map((f) => f.path),
      [
        'config.json',
        'generation_config.json',
        'preprocessor_config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'onnx/encoder_model_int8.onnx',
        'onnx/decoder_model_merged_int8.onnx',
      ],
    );
    for (const f of result.files) assertSameFile(f.path);
    assert.ok(!existsSync(join(dir, 'whisper-tiny', 'onnx', 'encoder_model_int8.onnx.part')));
    assert.ok(store().isPresent('whisper-tiny', 'int8'));
    assert.deepEqual(store().presentPrecisions('whisper-tiny'), ['int8']);
    // A second pull finds everything complete and downloads nothing.
    const again = await store().pull('whisper-tiny', 'int8');
    assert.ok(again.files.every((f) => !f.downloaded));
  });

  it('resumes a file after the server drops the connection mid-file (Range request)', async () => {
    hub.reset({ listing: true, cutAt: { path: 'onnx/encoder_model_int8.onnx', bytes: 120_000, cuts: 1 } });
    await store().pull('whisper-tiny', 'int8');
    assertSameFile('onnx/encoder_model_int8.onnx');
    const resumed = hub.ranges.filter((r) => r.path === 'onnx/encoder_model_int8.onnx');
    assert.equal(resumed.length, 1);
    const from = Number(/bytes=(\d+)-/.exec(resumed[0].range)![1]);
    assert.ok(from > 0 && from <= 120_000, `resumed from byte ${from}, not from 0`);
  });

  it('keeps the .part of a cut download and resumes it on the next run', async () => {
    hub.reset({
      listing: true,
      cutAt: { path: 'onnx/decoder_model_merged_int8.onnx', bytes: 50_000, cuts: 1 },
    });
    await assert.rejects(
      store({ retries: 0 }).pull('whisper-tiny', 'int8'),
      /was cut 1 times .*run it again to resume/,
    );
    const part = join(dir, 'whisper-tiny', 'onnx', 'decoder_model_merged_int8.onnx.part');
    assert.ok(statSync(part).size > 0);
    assert.ok(!store().isPresent('whisper-tiny', 'int8'));
    await store({ retries: 0 }).pull('whisper-tiny', 'int8');
    assertSameFile('onnx/decoder_model_merged_int8.onnx');
    assert.equal(hub.ranges.length, 1);
  });

  it('rejects a file whose size differs from the listing and deletes it', async () => {
    hub.reset({ listing: true, truncate: 'onnx/encoder_model_int8.onnx' });
    await assert.rejects(
      store().pull('whisper-tiny', 'int8'),
      (err: unknown) =>
        err instanceof AppError &&
        /^size mismatch for whisper-tiny\/onnx\/encoder_model_int8.onnx: expected 300000 bytes, got 299990/.test(
          err.message,
        ),
    );
    assert.ok(!existsSync(join(dir, 'whisper-tiny', 'onnx', 'encoder_model_int8.onnx')));
    assert.ok(!existsSync(join(dir, 'whisper-tiny', 'onnx', 'encoder_model_int8.onnx.part')));
  });

  it('rejects a file whose sha256 differs from the listing (LFS oid)', async () => {
    hub.reset({ listing: true, wrongSha: 'onnx/decoder_model_merged_int8.onnx' });
    await assert.rejects(
      store().pull('whisper-tiny', 'int8'),
      /checksum mismatch for whisper-tiny\/onnx\/decoder_model_merged_int8.onnx: expected sha256 f{64}/,
    );
    assert.ok(!existsSync(join(dir, 'whisper-tiny', 'onnx', 'decoder_model_merged_int8.onnx')));
  });

  it('without the listing API, checks size and sha256 from the x-linked-* headers of the redirect', async () => {
    hub.reset({ listing: false });
    await store().pull('whisper-tiny', 'int8');
    assertSameFile('onnx/encoder_model_int8.onnx');
    hub.reset({ listing: false, wrongSha: 'onnx/encoder_model_int8.onnx' });
    rmSync(join(dir, 'whisper-tiny'), { recursive: true });
    await assert.rejects(store().pull('whisper-tiny', 'int8'), /checksum mismatch/);
  });

  it('names the precision a repo does not have', async () => {
    hub.reset({ listing: true });
    await assert.rejects(
      store().pull('whisper-tiny', 'q4'),
      /has no q4 file for encoder_model .*choose another precision/,
    );
  });
});

describe('ModelStore.ensure (first worker start)', () => {
  it('downloads a missing known model on demand, with progress lines', async () => {
    hub.reset({ listing: true });
    const lines: string[] = [];
    const modelDir = await store({
      progress: new PeriodicProgressLines((l) => lines.push(l), 60_000),
    }).ensure('whisper-tiny', 'int8');
    assert.equal(modelDir, join(dir, 'whisper-tiny'));
    assert.ok(lines.includes('downloading whisper-tiny/onnx/encoder_model_int8.onnx (0.3 MiB)'));
    assert.ok(lines.includes('downloaded whisper-tiny/onnx/encoder_model_int8.onnx (0.3 MiB)'));
  });

  it('offline: a clear error that starts with "no network: put the model under <dir> or set MODELS_DIR"', async () => {
    hub.reset({ listing: true });
    await assert.rejects(
      store({ offline: true }).ensure('whisper-tiny', 'int8'),
      (err: unknown) =>
        err instanceof AppError &&
        err.message.startsWith(`no network: put the model under ${dir} or set MODELS_DIR`),
    );
    assert.equal(hub.requests.length, 0, 'offline mode never contacts the hub');
  });

  it('hub unreachable: the same "no network" error, with the reason', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      store({ hubUrl: `http://127.0.0.1:${port}` }).ensure('whisper-tiny', 'int8'),
      (err: unknown) =>
        err instanceof AppError &&
        err.message.startsWith(`no network: put the model under ${dir} or set MODELS_DIR`) &&
        /ECONNREFUSED/.test(err.message),
    );
  });

  it('with auto_download off, says how to pull the model', async () => {
    await assert.rejects(
      store({ autoDownload: false }).ensure('whisper-tiny', 'int8'),
      /is not in .* run "npm run models -- pull whisper-tiny --precision int8" or set models.auto_download = true/,
    );
  });

  it('uses a model already on disk without contacting the hub', async () => {
    hub.reset({ listing: true });
    await store().pull('whisper-tiny', 'int8');
    hub.reset({ listing: true });
    await store({ offline: true }).ensure('whisper-tiny', 'int8');
    assert.equal(hub.requests.length, 0);
  });
});

describe('download progress', () => {
  it('draws a bar with percentage and sizes on a terminal', () => {
    let out = '';
    let now = 0;
    const bar = new TerminalProgressBar({ write: (t: string) => (out += t) }, () => now);
    bar.start('onnx/encoder_model_fp16.onnx', 4 * 1024 * 1024, 0);
    now = 1000;
    bar.advance('onnx/encoder_model_fp16.onnx', 2 * 1024 * 1024, 4 * 1024 * 1024);
    assert.match(out, /\rencoder_model_fp16.onnx \[#{12}-{12}\] {2}50% 2.0\/4.0 MiB 2.0 MiB\/s$/);
    bar.finish('onnx/encoder_model_fp16.onnx', 4 * 1024 * 1024);
    assert.match(out, /100% 4.0\/4.0 MiB .*\n$/);
  });
});
