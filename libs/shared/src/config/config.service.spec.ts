import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from './config.module';
import { type ConfigLogPort, ConfigService } from './config.service';
import type { AppConfig } from './schema';

type Level = 'info' | 'warn' | 'error';

/** Records log lines and lets a test wait for the next one of a level (no sleeps). */
class RecordingLog implements ConfigLogPort {
  readonly lines: { level: Level; msg: string }[] = [];
  private waiters: { level: Level; resolve: (msg: string) => void }[] = [];
  info = (_: object, msg: string) => this.push('info', msg);
  warn = (_: object, msg: string) => this.push('warn', msg);
  error = (_: object, msg: string) => this.push('error', msg);
  next(level: Level): Promise<string> {
    return new Promise((resolve) => this.waiters.push({ level, resolve }));
  }
  private push(level: Level, msg: string) {
    this.lines.push({ level, msg });
    const waiter = this.waiters.find((w) => w.level === level);
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(msg);
    }
  }
}

const BASE = '[vad]\nsilence_ms = 500\n[gateway]\ngrpc_port = 50051\n';
const services: ConfigService[] = [];
afterEach(() => services.splice(0).forEach((s) => s.close()));

function start(text = BASE) {
  const dir = mkdtempSync(join(tmpdir(), 'olt-config-watch-'));
  const file = join(dir, 'olt.toml');
  writeFileSync(file, text);
  const log = new RecordingLog();
  const service = new ConfigService({ file, env: {}, logger: log, debounceMs: 30 });
  services.push(service);
  /** Editors write a temp file and rename it over the original; that is what the watcher must catch. */
  const edit = (next: string) => {
    writeFileSync(`${file}.tmp`, next);
    renameSync(`${file}.tmp`, file);
  };
  return { file, log, service, edit };
}

function nextChange(service: ConfigService): Promise<{ next: AppConfig; prev: AppConfig }> {
  return new Promise((resolve) => {
    const off = service.onChange((next, prev) => {
      off();
      resolve({ next, prev });
    });
  });
}

describe('ConfigService', () => {
  test('a watched edit of vad.silence_ms reaches listeners with the new and the previous config', async () => {
    const { service, edit, log } = start();
    service.watch();
    const changed = nextChange(service);
    edit(BASE.replace('silence_ms = 500', 'silence_ms = 900'));
    const { next, prev } = await changed;
    assert.equal(next.vad.silenceMs, 900);
    assert.equal(prev.vad.silenceMs, 500);
    assert.equal(service.current.vad.silenceMs, 900);
    assert.ok(Object.isFrozen(service.current.vad));
    assert.ok(
      log.lines.some((l) => l.level === 'info' && l.msg === 'config: reloaded vad.silence_ms 500 -> 900'),
    );
  });

  test('follows a Kubernetes ConfigMap update (the ..data symlink is swapped, the file itself untouched)', async () => {
    // Layout of a mounted ConfigMap: olt.toml -> ..data/olt.toml, ..data -> ..<timestamp>/
    const dir = mkdtempSync(join(tmpdir(), 'olt-configmap-'));
    const publish = (version: string, text: string) => {
      mkdirSync(join(dir, `..${version}`));
      writeFileSync(join(dir, `..${version}`, 'olt.toml'), text);
      symlinkSync(`..${version}`, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    };
    publish('v1', BASE);
    symlinkSync(join('..data', 'olt.toml'), join(dir, 'olt.toml'));
    const service = new ConfigService({
      file: join(dir, 'olt.toml'),
      env: {},
      logger: new RecordingLog(),
      debounceMs: 30,
    });
    services.push(service);
    service.watch();
    const changed = nextChange(service);
    publish('v2', BASE.replace('silence_ms = 500', 'silence_ms = 650'));
    assert.equal((await changed).next.vad.silenceMs, 650);
  });

  test('an invalid edit logs one error naming the problem and keeps the old values', async () => {
    const { service, edit, log } = start();
    let notified = false;
    service.onChange(() => (notified = true));
    service.watch();
    const error = log.next('error');
    edit(BASE.replace('silence_ms = 500', 'silence_ms = -5'));
    const msg = await error;
    assert.match(
      msg,
      /^config: vad\.silence_ms = -5 is invalid: must be >= 0 \(file .*olt\.toml\); keeping the current values$/,
    );
    assert.equal(service.current.vad.silenceMs, 500);
    assert.equal(notified, false);
    assert.equal(log.lines.filter((l) => l.level === 'error').length, 1);
  });

  test('an edit of a non-reloadable key is ignored with a "needs a restart" warning', async () => {
    const { service, edit, log } = start();
    service.watch();
    const warning = log.next('warn');
    edit(BASE.replace('grpc_port = 50051', 'grpc_port = 6000'));
    assert.equal(
      await warning,
      'config: gateway.grpc_port changed to 6000 but needs a restart; keeping 50051',
    );
    assert.equal(service.current.gateway.grpcPort, 50051);
  });

  test('a mixed edit applies only the reloadable part', () => {
    const { service, file } = start();
    writeFileSync(file, BASE.replace('grpc_port = 50051', 'grpc_port = 6000') + '[log]\nlevel = "debug"\n');
    assert.equal(service.reload(), true);
    assert.equal(service.current.log.level, 'debug');
    assert.equal(service.current.gateway.grpcPort, 50051);
    assert.equal(service.reload(), false, 'unchanged text is not re-applied');
  });

  test('tenant changes need a restart and their keys never reach the log', () => {
    const { service, file, log } = start();
    writeFileSync(file, `${BASE}[[tenants]]\nid = "a"\napi_key = "very-secret"\n`);
    assert.equal(service.reload(), false);
    assert.deepEqual(service.current.tenants, []);
    const warning = log.lines.find((l) => l.level === 'warn')?.msg ?? '';
    assert.match(warning, /^config: tenants changed to \(tenant list, not logged\) but needs a restart/);
    assert.ok(!log.lines.some((l) => l.msg.includes('very-secret')));
  });

  test('a listener that throws does not stop the others', () => {
    const { service, file, log } = start();
    let second = 0;
    service.onChange(() => {
      throw new Error('boom');
    });
    service.onChange((next) => (second = next.vad.silenceMs));
    writeFileSync(file, BASE.replace('silence_ms = 500', 'silence_ms = 700'));
    service.reload();
    assert.equal(second, 700);
    assert.ok(log.lines.some((l) => l.level === 'error' && /listener threw/.test(l.msg)));
  });

  test('plain tenant keys are warned about at start', () => {
    const { log } = start(`${BASE}[[tenants]]\nid = "dev"\napi_key = "k"\n`);
    assert.ok(
      log.lines.some((l) => l.level === 'warn' && /plain api_key: fine for development only/.test(l.msg)),
    );
  });
});

describe('ConfigModule', () => {
  test('provides ConfigService globally and stops watching when the app closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'olt-config-module-'));
    const file = join(dir, 'olt.toml');
    writeFileSync(file, '[limits]\nmax_targets = 3\n');
    @Module({ imports: [ConfigModule.forRoot({ file, env: {}, logger: new RecordingLog() })] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const service = app.get(ConfigService);
    assert.equal(service.current.limits.maxTargets, 3);
    assert.ok((service as unknown as { watcher?: unknown }).watcher, 'watching by default');
    await app.close();
    assert.equal((service as unknown as { watcher?: unknown }).watcher, undefined);
  });
});
