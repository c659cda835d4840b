/**
 * The reply path between workers and a gateway (libs/shared/src/queue/reply-stream.ts) against a real
 * redis-server: it must survive idle hours and the loss of its stream or group (an expiry, a queue-Redis
 * restart without persistence), and say when it cannot read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import {
  RedisReplyPublisher,
  ReplyStreamReader,
  replyStreamKey,
  type WorkerReply,
} from '@olt/shared/dist/queue';
import { startRedisServer, type RedisServer } from './redis-server';
import { until } from '../testing';

const reply = (requestId: string): WorkerReply =>
  ({ kind: 'asr', requestId, sessionId: 's', ok: true, text: requestId }) as unknown as WorkerReply;

describe('reply stream: self-healing reader', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const connect = () => {
    const c = new Redis(server.url, { maxRetriesPerRequest: null });
    clients.push(c);
    return c;
  };
  before(async () => {
    server = await startRedisServer({ policy: 'noeviction', name: 'reply-stream' });
  });
  const readers: ReplyStreamReader[] = [];
  after(async () => {
    await Promise.all(readers.map((r) => r.stop()));
    clients.forEach((c) => c.disconnect());
    await server?.stop();
  });

  async function reader(gatewayId: string, ttlSeconds = 3600) {
    const got: string[] = [];
    const recreated: string[] = [];
    const r = new ReplyStreamReader(
      connect(),
      gatewayId,
      (rep) => got.push(rep.requestId),
      () => undefined,
      { blockMs: 100, ttlSeconds, onRecreated: (why) => recreated.push(why) },
    );
    await r.start();
    readers.push(r);
    return { r, got, recreated };
  }

  test('after its stream is deleted (as expiry or a FLUSHALL would) the next replies still arrive', async () => {
    const redis = connect();
    const publisher = new RedisReplyPublisher(redis);
    const { r, got, recreated } = await reader('gw-heal');
    await publisher.publish('gw-heal', reply('before'));
    await until('the first reply', () => got.includes('before'), 5000);

    await redis.del(replyStreamKey('gw-heal'));
    await until('the reader to notice and recreate', () => recreated.length === 1, 5000);
    await publisher.publish('gw-heal', reply('after-delete'));
    await until('a reply after the delete', () => got.includes('after-delete'), 5000);

    await redis.flushall();
    await publisher.publish('gw-heal', reply('written-before-the-reader-noticed'));
    await until(
      'a reply written while the group was missing',
      () => got.includes('written-before-the-reader-noticed'),
      5000,
    );
    assert.ok(recreated.length >= 2 && recreated.every((why) => /NOGROUP/.test(why)));
    assert.equal(r.health().ok, true);
    await r.stop();
  });

  test('the live reader keeps its stream from expiring; a worker never shortens that expiry', async () => {
    const redis = connect();
    const publisher = new RedisReplyPublisher(redis, { maxLen: 100, ttlSeconds: 2 });
    const { r } = await reader('gw-idle', 3600);
    const key = replyStreamKey('gw-idle');
    const ttlAtStart = await redis.ttl(key);
    assert.ok(ttlAtStart > 3000, `the gateway set its own expiry (${ttlAtStart} s)`);
    await publisher.publish('gw-idle', reply('x'));
    assert.ok((await redis.ttl(key)) > 3000, "the worker's 2 s expiry did not replace the gateway's");
    await r.stop();
  });

  test("a stream for a gateway that is gone expires: a worker's answer does not keep it forever", async () => {
    const redis = connect();
    const publisher = new RedisReplyPublisher(redis, { maxLen: 100, ttlSeconds: 60 });
    await publisher.publish('gw-dead', reply('nobody-reads'));
    const ttl = await redis.ttl(replyStreamKey('gw-dead'));
    assert.ok(ttl > 0 && ttl <= 60, `expiry ${ttl} s`);
  });

  test('health turns red while Redis does not answer, and green again when it does', async () => {
    const { r } = await reader('gw-health');
    await until('a first read', () => r.health().ok, 5000);
    const admin = connect();
    // Pause every client for 3 s: the reader's reads (100 ms blocks) stop answering, as in an outage.
    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    await until('health to go red', () => !r.health().ok, 4000);
    assert.match(r.health().detail, /no reply-stream read for \d+ ms/);
    await until('health to recover', () => r.health().ok, 6000);
    await r.stop();
  });
});
