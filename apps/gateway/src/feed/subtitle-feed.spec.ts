import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ConfigService, type StreamResponse } from '@olt/shared';
import type { FeedEvent, FeedText } from './feed-event';
import { parseCursor, SubtitleFeed } from './subtitle-feed';

const feeds: SubtitleFeed[] = [];
function makeFeed(overlay: Record<string, number> = {}): SubtitleFeed {
  const config = new ConfigService({ env: {}, overrides: { overlay } });
  const feed = new SubtitleFeed(config);
  feeds.push(feed);
  return feed;
}
afterEach(() => feeds.splice(0).forEach((f) => f.onModuleDestroy()));

const started: StreamResponse = { started: { sessionId: 's1', overlayUrl: '', serverTimeMs: 1 } };
const transcript = (seg: string, rev: number, isFinal: boolean, text: string): StreamResponse => ({
  transcript: { segmentId: seg, revision: rev, isFinal, text, language: 'en', startMs: 0, endMs: 1000 },
});
const translation = (seg: string, lang: string, text: string, isFinal = true): StreamResponse => ({
  translation: { segmentId: seg, revision: 1, targetLanguage: lang, text, isFinal, fromCache: false },
});
const texts = (events: FeedEvent[]) =>
  events.filter((e): e is FeedText => 'text' in e).map((e) => `${e.lang}:${e.isFinal ? 'F' : 'I'}:${e.text}`);

describe('SubtitleFeed', () => {
  it('delivers published results to subscribers in order, numbered per session, and drops client-only events', () => {
    const feed = makeFeed();
    const got: FeedEvent[] = [];
    feed.subscribe('acme', 's1', (e) => got.push(e));
    feed.publish('s1', started, 'acme');
    feed.publish('s1', { event: { type: 'SPEECH_START', segmentId: 's1:0' } }, 'acme');
    feed.publish('s1', transcript('s1:0', 1, false, 'hel'), 'acme');
    feed.publish('s1', { event: { type: 'LAG', lagMs: 4000 } }, 'acme');
    feed.publish('s1', transcript('s1:0', 2, true, 'hello'), 'acme');
    feed.publish('s1', translation('s1:0', 'es', 'hola'), 'acme');
    assert.deepEqual(
      got.map((e) => `${e.seq} ${e.type}`),
      ['1 started', '2 speech_start', '3 transcript', '4 transcript', '5 translation'],
    );
    assert.deepEqual(texts(got), ['en:I:hel', 'en:F:hello', 'es:F:hola']);
  });

  it('keeps tenants apart even when they use the same session id', () => {
    const feed = makeFeed();
    const acme: FeedEvent[] = [];
    const other: FeedEvent[] = [];
    feed.subscribe('acme', 'live', (e) => acme.push(e));
    feed.subscribe('other', 'live', (e) => other.push(e));
    feed.publish('live', transcript('live:0', 1, true, 'for acme'), 'acme');
    assert.deepEqual(texts(acme), ['en:F:for acme']);
    assert.deepEqual(other, []);
    assert.equal(feed.status('other', 'live'), undefined);
  });

  it('replays a bounded history to late subscribers: the last N finals and only the newest interim of a line', () => {
    const feed = makeFeed({ historyFinals: 3 });
    feed.publish('s1', started, 'acme');
    for (let i = 0; i < 5; i++) feed.publish('s1', transcript(`s1:${i}`, 1, true, `final ${i}`), 'acme');
    feed.publish('s1', transcript('s1:5', 1, false, 'int'), 'acme');
    feed.publish('s1', transcript('s1:5', 2, false, 'interim'), 'acme');
    const late: FeedEvent[] = [];
    feed.subscribe('acme', 's1', (e) => late.push(e));
    assert.deepEqual(texts(late), ['en:F:final 2', 'en:F:final 3', 'en:F:final 4', 'en:I:interim']);
    assert.equal(late[0].type, 'started', 'the lifecycle marker comes first (lowest seq)');
    // The final replaces the line's interims in the history.
    feed.publish('s1', transcript('s1:5', 3, true, 'interim done'), 'acme');
    const later: FeedEvent[] = [];
    feed.subscribe('acme', 's1', (e) => later.push(e));
    assert.deepEqual(texts(later), ['en:F:final 3', 'en:F:final 4', 'en:F:interim done']);
  });

  it('catches a reconnecting client up from its cursor, and replays everything for a cursor of another epoch', () => {
    const feed = makeFeed();
    feed.publish('s1', started, 'acme');
    feed.publish('s1', transcript('s1:0', 1, true, 'one'), 'acme');
    feed.publish('s1', transcript('s1:1', 1, true, 'two'), 'acme');
    const epoch = feed.epochOf('acme', 's1');
    const cursor = parseCursor(`${epoch}-2`);
    assert.deepEqual(cursor, { epoch, seq: 2 });
    const resumed: FeedEvent[] = [];
    feed.subscribe('acme', 's1', (e) => resumed.push(e), cursor);
    assert.deepEqual(texts(resumed), ['en:F:two']);
    const stale: FeedEvent[] = [];
    feed.subscribe('acme', 's1', (e) => stale.push(e), { epoch: 'deadbeef', seq: 2 });
    assert.deepEqual(texts(stale), ['en:F:one', 'en:F:two']);
    assert.equal(parseCursor('garbage'), undefined);
  });

  it('lets a viewer wait for a session that has not started, then delivers it', () => {
    const feed = makeFeed();
    const got: FeedEvent[] = [];
    feed.subscribe('acme', 'later', (e) => got.push(e));
    assert.deepEqual(feed.list('acme'), []);
    feed.publish('later', started, 'acme');
    feed.publish('later', transcript('later:0', 1, true, 'now'), 'acme');
    assert.deepEqual(texts(got), ['en:F:now']);
  });

  it('is a directory of sessions: status, languages, finals, ended state and expiry', () => {
    const feed = makeFeed({ endedSessionTtlS: 60 });
    feed.publish('s1', started, 'acme');
    feed.publish('s1', transcript('s1:0', 1, true, 'hello'), 'acme');
    feed.publish('s1', translation('s1:0', 'es', 'hola'), 'acme');
    feed.publish('s1', translation('s1:0', 'fr', 'bonjour'), 'acme');
    feed.publish('s2', started, 'acme');
    feed.publish('x', started, 'other');
    const s1 = feed.status('acme', 's1')!;
    assert.equal(s1.state, 'live');
    assert.equal(s1.sourceLanguage, 'en');
    assert.deepEqual(s1.targetLanguages, ['es', 'fr']);
    assert.equal(s1.finals, 3);
    assert.deepEqual(
      feed.list('acme').map((s) => s.sessionId),
      ['s1', 's2'],
    );

    const got: FeedEvent[] = [];
    feed.subscribe('acme', 's2', (e) => got.push(e));
    feed.end('s1', 'acme');
    feed.end('s2', 'acme');
    assert.equal(got.at(-1)?.type, 'ended');
    assert.deepEqual(feed.list('acme'), []);
    assert.deepEqual(
      feed.list('acme', { includeEnded: true }).map((s) => `${s.sessionId} ${s.state}`),
      ['s1 ended', 's2 ended'],
    );
    // A resumed stream with the same id continues the session.
    feed.publish('s1', started, 'acme');
    assert.equal(feed.status('acme', 's1')!.streams, 2);
    assert.equal(feed.status('acme', 's1')!.finals, 3);
    feed.end('s1', 'acme');

    feed.sweep(Date.now() + 61_000);
    assert.equal(feed.status('acme', 's1'), undefined, 'ended past its grace time and nobody watching');
    assert.equal(feed.status('acme', 's2')?.state, 'ended', 'kept while a viewer is connected');
  });

  it('a session carried by two live calls (a resume while the old call lingers) ends with the last of them', () => {
    const feed = makeFeed();
    feed.publish('s1', started, 'acme');
    feed.publish('s1', started, 'acme');
    feed.end('s1', 'acme');
    assert.equal(feed.status('acme', 's1')?.state, 'live', 'the resumed call still streams');
    feed.end('s1', 'acme');
    assert.equal(feed.status('acme', 's1')?.state, 'ended');
    feed.publish('s1', started, 'acme');
    assert.equal(feed.status('acme', 's1')?.liveStreams, 1, 'a later resume counts from the ended state');
  });

  it('keeps publishing when a listener throws', () => {
    const feed = makeFeed();
    const got: FeedEvent[] = [];
    feed.subscribe('acme', 's1', () => {
      throw new Error('socket gone');
    });
    feed.subscribe('acme', 's1', (e) => got.push(e));
    assert.doesNotThrow(() => feed.publish('s1', transcript('s1:0', 1, true, 'still here'), 'acme'));
    assert.deepEqual(texts(got), ['en:F:still here']);
  });
});
