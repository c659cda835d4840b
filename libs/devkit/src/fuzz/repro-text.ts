/** Longest string or byte run shown as is in a repro; longer ones are summarised (the seed regenerates them). */
const SHOWN = 160;

/** JSON for repros: Buffers as hex, megabyte strings and arrays summarised with their size. */
export function reproJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (isBufferJson(v)) return bytesText(Buffer.from(v.data));
    if (typeof v === 'string' && v.length > SHOWN) {
      return `<${v.length} chars: ${JSON.stringify(v.slice(0, 40))}…>`;
    }
    if (Array.isArray(v) && v.length > 40) return [...v.slice(0, 10), `<…${v.length} items in all>`];
    return v;
  });
}

/** Bytes as an escaped string, readable for HTTP and text, hex escapes for the rest. */
export function bytesText(bytes: Buffer): string {
  const shown = bytes.subarray(0, SHOWN * 3);
  let out = '';
  for (const b of shown) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > shown.length ? `${out}…<${bytes.length} bytes in all>` : out;
}

function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer';
}
