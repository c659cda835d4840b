import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '@olt/devkit';
import { ConfigService, type StreamResponse } from '@olt/shared';
import type { FeedEvent, FeedText } from './feed-event';
import { FeedLiveChannels } from './feed-live-channels';
import { FeedStore } from './feed-store';
import { parseCursor, SubtitleFeed } from './subtitle-feed';
import { until } from '@olt/devkit/dist/testing';

let server: RedisServer;
const clients: Redis[] = [];
const channels: FeedLiveChannels[] = [];

/** One gateway's feed; every feed made here shares the test's queue Redis, as a fleet does. */
function gatewayFeed(overlay: Record<string, number> = {}): SubtitleFeed {
  const config = new ConfigService({ env: {}, overrides: { overlay } });
  const redis = new Redis(server.url);
  clients.push(redis);
  const live = new FeedLiveChannels(redis);
  channels.push(live);
  return new SubtitleFeed(new FeedStore(redis, config), live);
}

before(async () => {
  server = await startRedisServer({ policy: 'noeviction', name: 'feed' });
});
after(async () => {
  await Promise.all(channels.map((c) => c.onModuleDestroy()));
  await Promise.all(clients.map((c) => c.quit()));
  await server.stop();
});

let counter = 0;
/** Session ids unique per test: every test shares one Redis. */
const sid = (name: string) => `${name}-${++counter}`;

const started = (id: string): StreamResponse => ({
  started: { sessionId: id, overlayUrl: '', serverTimeMs: 1 },
});
const transcript = (seg: string, rev: number, isFinal: boolean, text: string): StreamResponse => ({
  transcript: { segmentId: seg, revision: rev, isFinal, text, language: 'en', startMs: 0, endMs: 1000 },
});
const translation = (seg: string, lang: string, text: string, isFinal = true): StreamResponse => ({
  translation: { segmentId: seg, revision: 1, targetLanguage: lang, text, isFinal, fromCache: false },
});
const texts = (events: FeedEvent[]) =>
  events.filter((e): e is FeedText => 'text' in e).map((e) => `${e.lang}:${e.isFinal ? 'F' : 'I'}:${e.text}`);

/** Subscribes and waits until `count` events arrived (or fails). */
async function collect(feed: SubtitleFeed, tenant: string, id: string, count: number, after?: string) {
  const got: FeedEvent[] = [];
  const stop = feed.subscribe(tenant, id, (e) => got.push(e), parseCursor(after));
  await until(`${count} events of ${id}`, () => got.length >= count, 10_000, 10);
  return { got, stop };
}

describe('SubtitleFeed across gateways (state in the queue Redis)', () => {
  it('delivers results published on one gateway to viewers on another, in order, numbered per session', async () => {
    const [holder, other] = [gatewayFeed(), gatewayFeed()];
    const id = sid('s');
    const got: FeedEvent[] = [];
    const stop = other.subscribe('acme', id, (e) => got.push(e));
    await other.whenLive('acme', id);
    holder.publish(id, started(id), 'acme');
    holder.publish(id, { event: { type: 'SPEECH_START', segmentId: `${id}:0` } }, 'acme');
    holder.publish(id, transcript(`${id}:0`, 1, false, 'hel'), 'acme');
    holder.publish(id, { event: { type: 'LAG', lagMs: 4000 } }, 'acme');
    holder.publish(id, transcript(`${id}:0`, 2, true, 'hello'), 'acme');
    holder.publish(id, translation(`${id}:0`, 'es', 'hola'), 'acme');
    await until('5 events', () => got.length >= 5, 10_000, 10);
    stop();
    assert.deepEqual(
      got.map((e) => `${e.seq} ${e.type}`),
      ['1 started', '2 speech_start', '3 transcript', '4 transcript', '5 translation'],
    );
    assert.deepEqual(texts(got), ['en:I:hel', 'en:F:hello', 'es:F:hola']);
  });

  it('keeps tenants apart even when they use the same session id', async () => {
    const [a, b] = [gatewayFeed(), gatewayFeed()];
    const id = sid('live');
    const acme: FeedEvent[] = [];
    const other: FeedEvent[] = [];
    const stops = [
      b.subscribe('acme', id, (e) => acme.push(e)),
      b.subscribe('other', id, (e) => other.push(e)),
    ];
    await Promise.all([b.whenLive('acme', id), b.whenLive('other', id)]);
    a.publish(id, transcript(`${id}:0`, 1, true, 'for acme'), 'acme');
    await until('acme event', () => acme.length > 0, 10_000, 10);
    await new Promise((r) => setTimeout(r, 50));
    stops.forEach((s) => s());
    assert.deepEqual(texts(acme), ['en:F:for acme']);
    assert.deepEqual(other, []);
    assert.equal(await b.status('other', id), undefined);
  });

  it('replays a bounded window to late viewers on any gateway: the last N finals and only the newest interim of a line', async () => {
    const holder = gatewayFeed({ historyFinals: 3 });
    const other = gatewayFeed({ historyFinals: 3 });
    const id = sid('s');
    holder.publish(id, started(id), 'acme');
    for (let i = 0; i < 5; i++) holder.publish(id, transcript(`${id}:${i}`, 1, true, `final ${i}`), 'acme');
    holder.publish(id, transcript(`${id}:5`, 1, false, 'int'), 'acme');
    holder.publish(id, transcript(`${id}:5`, 2, false, 'interim'), 'acme');
    await holder.flushed();
    const late = await collect(other, 'acme', id, 5);
    late.stop();
    assert.deepEqual(texts(late.got), ['en:F:final 2', 'en:F:final 3', 'en:F:final 4', 'en:I:interim']);
    assert.equal(late.got[0].type, 'started', 'the lifecycle marker comes first (lowest seq)');
    // The final replaces the line's interims in the window.
    holder.publish(id, transcript(`${id}:5`, 3, true, 'interim done'), 'acme');
    await holder.flushed();
    const later = await collect(other, 'acme', id, 4);
    later.stop();
    assert.deepEqual(texts(later.got), ['en:F:final 3', 'en:F:final 4', 'en:F:interim done']);
  });

  it('catches a reconnecting viewer up from its cursor on another gateway, and replays all for a cursor of another epoch', async () => {
    const [holder, other] = [gatewayFeed(), gatewayFeed()];
    const id = sid('s');
    holder.publish(id, started(id), 'acme');
    holder.publish(id, transcript(`${id}:0`, 1, true, 'one'), 'acme');
    holder.publish(id, transcript(`${id}:1`, 1, true, 'two'), 'acme');
    await holder.flushed();
    const epoch = await holder.epochOf('acme', id);
    assert.equal(await other.epochOf('acme', id), epoch, 'one epoch per session across gateways');
    assert.deepEqual(parseCursor(`${epoch}-2`), { epoch, seq: 2 });
    const resumed = await collect(other, 'acme', id, 1, `${epoch}-2`);
    await new Promise((r) => setTimeout(r, 50));
    resumed.stop();
    assert.deepEqual(texts(resumed.got), ['en:F:two']);
    const stale = await collect(other, 'acme', id, 3, 'deadbeef-2');
    stale.stop();
    assert.deepEqual(texts(stale.got), ['en:F:one', 'en:F:two']);
    assert.equal(parseCursor('garbage'), undefined);
  });

  it('lets a viewer wait for a session that has not started, then delivers it', async () => {
    const [holder, other] = [gatewayFeed(), gatewayFeed()];
    const id = sid('later');
    const got: FeedEvent[] = [];
    const stop = other.subscribe('acme', id, (e) => got.push(e));
    assert.deepEqual(
      (await other.list('acme')).filter((s) => s.sessionId === id),
      [],
    );
    await other.whenLive('acme', id);
    holder.publish(id, started(id), 'acme');
    holder.publish(id, transcript(`${id}:0`, 1, true, 'now'), 'acme');
    await until('2 events', () => got.length >= 2, 10_000, 10);
    stop();
    assert.deepEqual(texts(got), ['en:F:now']);
  });

  it('tells a resumed call on another gateway its last final before the resume point', async () => {
    const [a, b] = [gatewayFeed(), gatewayFeed()];
    const tenant = `resume${++counter}`;
    const final = (seg: string, text: string, endMs: number, language = 'es'): StreamResponse => ({
      transcript: { segmentId: seg, revision: 2, isFinal: true, text, language, startMs: endMs - 900, endMs },
    });
    a.publish('show', started('show'), tenant);
    a.publish('show', final('show:0', 'uno', 1000), tenant);
    a.publish('show', final('show:1', 'dos', 3000), tenant);
    a.publish('show', translation('show:1', 'en', 'two'), tenant);
    a.publish('show', final('show:2', '', 3500), tenant); // heard nothing: no prompt in it
    a.publish('show', transcript('show:3', 1, false, 'tr'), tenant);
    a.publish('show', final('show:3', 'tres', 5000), tenant); // after the resume point: made again
    await a.flushed();
    const last = await b.lastFinal(tenant, 'show', 4000);
    assert.deepEqual([last?.text, last?.lang, last?.endMs], ['dos', 'es', 3000]);
    assert.equal(await b.lastFinal(tenant, 'show', 500), undefined);
    assert.equal(await b.lastFinal('someone-else', 'show', 4000), undefined, 'tenants apart');
  });

  it('is a directory of the fleet’s sessions: status, languages, finals and ended state', async () => {
    const [a, b] = [gatewayFeed({ endedSessionTtlS: 60 }), gatewayFeed({ endedSessionTtlS: 60 })];
    const tenant = `dir${++counter}`;
    a.publish('s1', started('s1'), tenant);
    a.publish('s1', transcript('s1:0', 1, true, 'hello'), tenant);
    a.publish('s1', translation('s1:0', 'es', 'hola'), tenant);
    a.publish('s1', translation('s1:0', 'fr', 'bonjour'), tenant);
    b.publish('s2', started('s2'), tenant);
    a.publish('x', started('x'), 'other');
    await Promise.all([a.flushed(), b.flushed()]);
    const s1 = (await b.status(tenant, 's1'))!;
    assert.equal(s1.state, 'live');
    assert.equal(s1.sourceLanguage, 'en');
    assert.deepEqual(s1.targetLanguages, ['es', 'fr']);
    assert.equal(s1.finals, 3);
    assert.deepEqual(
      (await a.list(tenant)).map((s) => s.sessionId),
      ['s1', 's2'],
    );
    a.end('s1', tenant);
    b.end('s2', tenant);
    await Promise.all([a.flushed(), b.flushed()]);
    assert.deepEqual(await a.list(tenant), []);
    assert.deepEqual(
      (await a.list(tenant, { includeEnded: true })).map((s) => `${s.sessionId} ${s.state}`),
      ['s1 ended', 's2 ended'],
    );
    // A resumed stream with the same id continues the session, on whichever gateway it lands.
    b.publish('s1', started('s1'), tenant);
    await b.flushed();
    assert.equal((await a.status(tenant, 's1'))!.streams, 2);
    assert.equal((await a.status(tenant, 's1'))!.finals, 3);
  });

  it('a session carried by two live calls (a resume while the old call lingers) ends with the last of them', async () => {
    const [a, b] = [gatewayFeed(), gatewayFeed()];
    const id = sid('s');
    a.publish(id, started(id), 'acme');
    await a.flushed();
    b.publish(id, started(id), 'acme');
    await b.flushed();
    a.end(id, 'acme');
    await a.flushed();
    assert.equal((await a.status('acme', id))?.state, 'live', 'the resumed call still streams');
    b.end(id, 'acme');
    await b.flushed();
    assert.equal((await a.status('acme', id))?.state, 'ended');
    a.publish(id, started(id), 'acme');
    await a.flushed();
    assert.equal((await a.status('acme', id))?.liveStreams, 1, 'a later resume counts from the ended state');
  });

  it('ended sessions expire after overlay.ended_session_ttl_s', async () => {
    const feed = gatewayFeed({ endedSessionTtlS: 1 });
    const id = sid('s');
    feed.publish(id, started(id), 'acme');
    feed.end(id, 'acme');
    await feed.flushed();
    assert.equal((await feed.status('acme', id))?.state, 'ended');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(await feed.status('acme', id), undefined);
  });

  it('keeps delivering when a listener throws', async () => {
    const feed = gatewayFeed();
    const id = sid('s');
    const got: FeedEvent[] = [];
    const stops = [
      feed.subscribe('acme', id, () => {
        throw new Error('socket gone');
      }),
      feed.subscribe('acme', id, (e) => got.push(e)),
    ];
    await feed.whenLive('acme', id);
    assert.doesNotThrow(() => feed.publish(id, transcript(`${id}:0`, 1, true, 'still here'), 'acme'));
    await until('event', () => got.length > 0, 10_000, 10);
    stops.forEach((s) => s());
    assert.deepEqual(texts(got), ['en:F:still here']);
  });
});
