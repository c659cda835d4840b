import { spawn, spawnSync } from 'node:child_process';
import { CEA608_CHARSET } from '@olt/shared/dist/obs';
import { readFileSync } from 'node:fs';
import { freePort } from '../stack/free-port';

export interface RtmpReceiver {
  /** rtmp://127.0.0.1:<port>/live — the server URL to give OBS (stream key below). */
  server: string;
  key: string;
  /** The FLV file the stream is copied into. */
  file: string;
  /** Resolves when ffmpeg has finished writing (the publisher stopped, or stop() was called). */
  finished: Promise<number | null>;
  stop(): Promise<void>;
}

/** Whether something listens on TCP `port` (Linux /proc/net/tcp{,6}: state 0A = LISTEN). */
function isListening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((table) => {
    try {
      return readFileSync(table, 'utf8')
        .split('\n')
        .some((line) => {
          const [, local, , state] = line.trim().split(/\s+/);
          return local?.endsWith(hex) && state === '0A';
        });
    } catch {
      return false;
    }
  });
}

/**
 * A one-shot local RTMP server (ffmpeg -listen 1) that copies what OBS streams into an FLV file, so the
 * stream captions OBS embeds (CEA-608 in H.264 SEI) can be decoded back from a real stream.
 */
export async function startRtmpReceiver(file: string): Promise<RtmpReceiver> {
  const port = await freePort();
  const key = 'olt';
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-listen',
      '1',
      '-i',
      `rtmp://127.0.0.1:${port}/live/${key}`,
      '-c',
      'copy',
      file,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const finished = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // OBS tries to connect once when streaming starts: wait until ffmpeg really listens. A probe connection
  // would use up ffmpeg's single accept, so the kernel's socket table is read instead.
  const deadline = Date.now() + 15_000;
  while (!isListening(port)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ffmpeg did not listen on RTMP port ${port} (exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    server: `rtmp://127.0.0.1:${port}/live`,
    key,
    file,
    finished,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await finished;
      clearTimeout(timer);
    },
  };
}

/**
 * The CEA-608 captions embedded in a recorded stream's H.264, in order, each as its rows joined by '\n'.
 * ffmpeg's own caption decoder cannot be used: OBS appends the caption SEI after the picture data ("late
 * SEI", which ffmpeg 5 ignores), so the SEI NAL units are read here from the Annex B stream ffmpeg copies out.
 */
export function decodeCaptions(videoFile: string): string[] {
  const result = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      videoFile,
      '-an',
      '-c:v',
      'copy',
      '-bsf:v',
      'h264_mp4toannexb',
      '-f',
      'h264',
      '-',
    ],
    { maxBuffer: 512 * 1024 * 1024, timeout: 30_000 },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not read ${videoFile}: ${result.stderr.toString()}`);
  return captionsFromAnnexB(result.stdout);
}

export function captionsFromAnnexB(stream: Buffer): string[] {
  const decoder = new Cea608Field1Decoder();
  for (const nal of nalUnits(stream)) {
    if ((nal[0] & 0x1f) !== 6) continue; // SEI
    for (const pair of ccPairs(unescapeRbsp(nal.subarray(1)))) decoder.push(pair[0], pair[1]);
  }
  return decoder.captions;
}

function nalUnits(stream: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 <= stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((start, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : stream.length;
    while (end > start && stream[end - 1] === 0) end--; // the 4-byte start code's leading zero
    return stream.subarray(start, end);
  });
}

/** Removes emulation prevention bytes (00 00 03 → 00 00). */
function unescapeRbsp(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (i >= 2 && data[i] === 3 && data[i - 1] === 0 && data[i - 2] === 0 && out.length >= 2) continue;
    out.push(data[i]);
  }
  return Buffer.from(out);
}

/** Field-1 cc_data byte pairs of ATSC A/53 "GA94" user data in one SEI NAL payload. */
function ccPairs(sei: Buffer): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  let i = 0;
  while (i < sei.length && sei[i] !== 0x80) {
    let type = 0;
    while (sei[i] === 0xff) type += sei[i++];
    type += sei[i++];
    let size = 0;
    while (sei[i] === 0xff) size += sei[i++];
    size += sei[i++];
    const body = sei.subarray(i, i + size);
    i += size;
    // user_data_registered_itu_t_t35: country 0xB5, provider 0x0031, "GA94", type 3 = cc_data.
    if (type !== 4 || body[0] !== 0xb5 || body.toString('latin1', 3, 7) !== 'GA94' || body[7] !== 3) continue;
    const count = body[8] & 0x1f;
    for (let k = 0; k < count; k++) {
      const at = 10 + k * 3;
      const valid = (body[at] & 0x04) !== 0;
      const ccType = body[at] & 0x03;
      if (valid && ccType === 0) pairs.push([body[at + 1] & 0x7f, body[at + 2] & 0x7f]);
    }
  }
  return pairs;
}

/**
 * Just enough of a CEA-608 decoder for pop-on captions: text rows between PACs, shown at EOC, with the
 * character sets libcaption encodes (basic, special and extended Western European; an extended character
 * replaces the placeholder before it, as the standard says).
 */
export class Cea608Field1Decoder {
  readonly captions: string[] = [];
  private rows: string[] = [];
  private lastControl = '';

  push(b1: number, b2: number): void {
    if (b1 >= 0x10 && b1 <= 0x1f) {
      const control = `${b1},${b2}`;
      // Control codes (and two-byte characters) may be sent twice for robustness; the repeat is ignored.
      if (control === this.lastControl) {
        this.lastControl = '';
        return;
      }
      this.lastControl = control;
      const code = b1 & 0x17; // channel 2 (0x18–0x1f) decodes like channel 1
      if (code === 0x11 && b2 >= 0x30 && b2 <= 0x3f) return this.write(CEA608_CHARSET[96 + b2 - 0x30]);
      if ((code === 0x12 || code === 0x13) && b2 >= 0x20 && b2 <= 0x3f) {
        const row = this.rows.at(-1) ?? '';
        if (this.rows.length) this.rows[this.rows.length - 1] = row.slice(0, -1);
        return this.write(CEA608_CHARSET[(code === 0x12 ? 112 : 144) + b2 - 0x20]);
      }
      const channel1 = b1 & 0x07;
      if ((channel1 === 4 || channel1 === 5) && b2 === 0x2f) {
        // End Of Caption: the loaded rows are displayed.
        const text = this.rows
          .map((r) => r.trim())
          .filter(Boolean)
          .join('\n');
        if (text) this.captions.push(text);
        this.rows = [];
      } else if (b2 >= 0x40 && b2 <= 0x7f) {
        this.rows.push(''); // Preamble Address Code: a new row starts.
      }
      return;
    }
    this.lastControl = '';
    for (const b of [b1, b2]) if (b >= 0x20) this.write(CEA608_CHARSET[b - 0x20]);
  }

  private write(ch: string): void {
    if (this.rows.length === 0) this.rows.push('');
    this.rows[this.rows.length - 1] += ch;
  }
}
