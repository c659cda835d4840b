import type { OverlaySettings } from './overlay-settings';

/**
 * The browser-source page: one self-contained HTML document (no CDN, no external files; OBS may run
 * offline), transparent, styled from the resolved settings. The script follows the session's SSE feed,
 * reconnects on its own, and catches up from its last event id.
 */
export function renderOverlayPage(sessionId: string, settings: OverlaySettings): string {
  const boot = { sessionId, settings };
  return `<!doctype html>
<html lang="und" data-feed="connecting">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Live subtitles</title>
<style>${overlayCss(settings)}</style>
</head>
<body>
<div id="subs" class="olt-subs olt-pos-${settings.position}" aria-live="polite"></div>
<script type="application/json" id="olt-boot">${jsonForScript(boot)}</script>
<script>${OVERLAY_SCRIPT}</script>
</body>
</html>
`;
}

/** A readable error on a transparent page: in OBS the text shows in the preview, where the streamer looks. */
export function renderOverlayError(status: number, message: string): string {
  return `<!doctype html>
<html lang="en" data-feed="error">
<head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Overlay error ${status}</title>
<style>html,body{background:transparent;margin:0}
p{font:600 28px/1.3 "DejaVu Sans",Arial,sans-serif;color:#fff;background:#b00020cc;padding:.6em 1em;margin:1em;display:inline-block;border-radius:.3em}</style>
</head>
<body><p id="olt-error">Live subtitles: ${escapeHtml(message)}</p></body>
</html>
`;
}

function overlayCss(s: OverlaySettings): string {
  const o = s.outlinePx;
  // Outline drawn as eight offset shadows: unlike -webkit-text-stroke it does not eat into the glyphs, and
  // OBS's older embedded Chromium renders it the same way.
  const outline =
    o > 0
      ? [
          [o, 0],
          [-o, 0],
          [0, o],
          [0, -o],
          [o * 0.71, o * 0.71],
          [-o * 0.71, o * 0.71],
          [o * 0.71, -o * 0.71],
          [-o * 0.71, -o * 0.71],
        ].map(([x, y]) => `${round(x)}px ${round(y)}px 0 ${s.outlineColor}`)
      : [];
  const shadow = s.shadow ? ['0 0.05em 0.3em rgba(0,0,0,0.9)'] : [];
  const textShadow = [...outline, ...shadow].join(', ') || 'none';
  const side = s.position === 'left' || s.position === 'right';
  return `
html,body{margin:0;padding:0;background:transparent;overflow:hidden;width:100%;height:100%}
.olt-subs{position:fixed;box-sizing:border-box;width:${s.maxWidthPct}vw;max-width:${s.maxWidthPct}vw;
 font-family:${s.fontFamily};font-size:${s.fontSizePx}px;font-weight:${s.fontWeight};line-height:1.25;
 color:${s.textColor};text-shadow:${textShadow};display:flex;flex-direction:column;
 text-align:${side ? 'start' : 'center'};transition:opacity .6s ease;opacity:1;
 overflow-wrap:break-word;overflow-wrap:anywhere;line-break:strict;word-break:normal}
.olt-subs.olt-faded{opacity:0}
.olt-pos-bottom{left:50%;bottom:6vh;transform:translateX(-50%);justify-content:flex-end}
.olt-pos-top{left:50%;top:6vh;transform:translateX(-50%)}
.olt-pos-center{left:50%;top:50%;transform:translate(-50%,-50%)}
.olt-pos-left{left:3vw;top:50%;transform:translateY(-50%)}
.olt-pos-right{right:3vw;top:50%;transform:translateY(-50%)}
.olt-lang{display:flex;flex-direction:column}
.olt-lang+.olt-lang{margin-top:.25em}
.olt-notice{font-size:28px;font-weight:600;font-style:normal;color:#fff;background:#b00020cc;padding:.6em 1em;border-radius:.3em;text-shadow:none}
.olt-line{white-space:pre-wrap;unicode-bidi:plaintext}
.olt-line.olt-final{color:${s.textColor}}
.olt-line.olt-interim{color:${s.interimColor};font-style:italic;opacity:.9}
`;
}

/**
 * Oldest browser the page supports: Chromium 75 (CEF 3770), the browser source of OBS Studio 26 and 27,
 * still found on streaming PCs. The script is plain ES2017 and every DOM/CSS feature it uses exists there
 * (no optional chaining, replaceChildren, flex gap…); overlay-page.spec.ts checks the list.
 */
export const OLDEST_SUPPORTED_CHROMIUM = 75;

/**
 * Client side. Plain ES2017 so that OBS's embedded Chromium runs it. State per displayed language: the
 * newest `lines` lines (a line = a segment), each interim replaced in place by later revisions and by
 * its final.
 */
const OVERLAY_SCRIPT = `
(function () {
  'use strict';
  var boot = JSON.parse(document.getElementById('olt-boot').textContent);
  var S = boot.settings;
  var root = document.getElementById('subs');
  var doc = document.documentElement;
  var token = new URLSearchParams(location.search).get('token') || '';
  var eventsUrl = location.pathname.replace(/\\/+$/, '') + '/events?token=' + encodeURIComponent(token);
  var cursor = '';
  var skewMs = 0;
  var state = {};
  var targetsSeen = [];
  var faded = false;
  var fadeTimer = null;
  var source = null;
  var retryMs = 1000;

  function shownLangs() {
    if (S.langs.length) return S.langs;
    return targetsSeen.length ? targetsSeen : ['orig'];
  }

  function wake() {
    if (faded) { state = {}; faded = false; }
    root.classList.remove('olt-faded');
    if (fadeTimer) clearTimeout(fadeTimer);
    if (S.fadeAfterS > 0) fadeTimer = setTimeout(fade, S.fadeAfterS * 1000);
  }

  function fade() {
    faded = true;
    root.classList.add('olt-faded');
  }

  function onText(ev) {
    if (ev.type === 'translation' && targetsSeen.indexOf(ev.lang) < 0) targetsSeen.push(ev.lang);
    var age = Date.now() + skewMs - ev.at;
    // Catch-up after a reconnect: text older than the fade time would already have faded.
    if (S.fadeAfterS > 0 && age > S.fadeAfterS * 1000) return;
    if (!ev.isFinal && !S.interim) return;
    var key = ev.type === 'transcript' ? 'orig' : ev.lang;
    wake();
    var lines = state[key] || (state[key] = []);
    var line = null;
    for (var i = 0; i < lines.length; i++) if (lines[i].segmentId === ev.segmentId) line = lines[i];
    if (line && line.isFinal && !ev.isFinal) return;
    if (line && ev.revision < line.revision) return;
    if (!line) {
      if (ev.text === '') return;
      line = { segmentId: ev.segmentId, revision: -1 };
      lines.push(line);
    }
    line.text = ev.text;
    line.isFinal = ev.isFinal;
    line.revision = ev.revision;
    line.lang = ev.lang;
    if (ev.isFinal && ev.text === '') lines.splice(lines.indexOf(line), 1);
    while (lines.length > S.lines) lines.shift();
    draw();
  }

  function draw() {
    var frag = document.createDocumentFragment();
    shownLangs().forEach(function (key) {
      var lines = state[key];
      if (!lines || !lines.length) return;
      var block = document.createElement('div');
      block.className = 'olt-lang';
      block.setAttribute('data-lang', key);
      lines.forEach(function (l) {
        var el = document.createElement('div');
        el.className = 'olt-line ' + (l.isFinal ? 'olt-final' : 'olt-interim');
        el.setAttribute('dir', 'auto');
        if (l.lang) el.setAttribute('lang', l.lang);
        el.setAttribute('data-segment', l.segmentId);
        el.textContent = l.text;
        block.appendChild(el);
      });
      frag.appendChild(block);
    });
    while (root.firstChild) root.removeChild(root.firstChild);
    root.appendChild(frag);
  }

  function onEvent(ev) {
    if (ev.type === 'transcript' || ev.type === 'translation') onText(ev);
    else if (ev.type === 'started') doc.setAttribute('data-session', 'live');
    else if (ev.type === 'ended') doc.setAttribute('data-session', 'ended');
  }

  function connect() {
    doc.setAttribute('data-feed', 'connecting');
    source = new EventSource(eventsUrl + (cursor ? '&after=' + encodeURIComponent(cursor) : ''));
    source.addEventListener('hello', function (m) {
      var hello = JSON.parse(m.data);
      skewMs = hello.serverTime - Date.now();
      if (hello.session) doc.setAttribute('data-session', hello.session);
      doc.setAttribute('data-feed', 'open');
      retryMs = 1000;
    });
    source.onmessage = function (m) {
      if (m.lastEventId) cursor = m.lastEventId;
      try { onEvent(JSON.parse(m.data)); } catch (e) { /* one bad event must not stop the overlay */ }
    };
    source.onerror = function () {
      // CONNECTING: the browser retries by itself (sending Last-Event-ID). CLOSED (an HTTP error, e.g.
      // the gateway restarting behind a proxy, or a link that expired): ask why before retrying.
      if (source.readyState === EventSource.CLOSED) {
        doc.setAttribute('data-feed', 'reconnecting');
        source.close();
        whyClosed();
      } else {
        doc.setAttribute('data-feed', 'reconnecting');
      }
    };
  }

  // EventSource hides the HTTP status: a HEAD of the same URL tells an expired or revoked link (401/403,
  // retrying can never help) from a gateway that is away (retry with backoff).
  function whyClosed() {
    fetch(eventsUrl, { method: 'HEAD', cache: 'no-store' }).then(function (res) {
      if (res.status === 401 || res.status === 403) expired();
      else retry();
    }, retry);
  }

  function retry() {
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  function expired() {
    doc.setAttribute('data-feed', 'expired');
    var notice = document.createElement('div');
    notice.className = 'olt-line olt-notice';
    notice.id = 'olt-expired';
    notice.textContent = 'Live subtitles: this overlay link has expired or is no longer valid. ' +
      'Copy the new link (SessionStarted.overlay_url, or GET /v1/sessions/{id}) into this browser source.';
    while (root.firstChild) root.removeChild(root.firstChild);
    root.appendChild(notice);
    root.classList.remove('olt-faded');
  }

  connect();
})();
`;

function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
