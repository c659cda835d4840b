import { BYTES_PER_MIB, type GpuDevice } from './gpu-device';

/**
 * Parsers of the three vendor tools' outputs. They are pure and strict about what they accept: a line or
 * entry they cannot read is skipped (and reported by the caller) rather than guessed at, because a wrong
 * VRAM figure would pick a tier that runs out of memory.
 */

/** `nvidia-smi --query-gpu=index,name,memory.total,memory.free --format=csv,noheader,nounits` (MiB). */
export function parseNvidiaSmiCsv(text: string): GpuDevice[] {
  const gpus: GpuDevice[] = [];
  for (const line of text.split(/\r?\n/)) {
    // The name may itself contain commas; index is first and the two numbers are last.
    const parts = line.split(',').map((p) => p.trim());
    if (parts.length < 4) continue;
    const index = toInt(parts[0]);
    const total = toNumber(parts[parts.length - 2]);
    const free = toNumber(parts[parts.length - 1]);
    const name = parts.slice(1, -2).join(', ');
    if (index === undefined || !name || total === undefined) continue;
    gpus.push({
      vendor: 'nvidia',
      index,
      name,
      totalMiB: total,
      ...(free !== undefined ? { freeMiB: free } : {}),
    });
  }
  return gpus;
}

/**
 * `rocm-smi --showproductname --showmeminfo vram --json`: one object per `cardN` with byte counts as strings.
 * Key spelling changed between ROCm releases ("Card series" / "Card Series"), so keys match case-insensitively.
 */
export function parseRocmSmiJson(text: string): GpuDevice[] {
  const data = parseJsonObject(text);
  const gpus: GpuDevice[] = [];
  for (const [key, value] of Object.entries(data)) {
    const card = /^card(\d+)$/i.exec(key);
    if (!card || !isObject(value)) continue;
    const field = (name: string) => lookup(value, name);
    const totalBytes = toNumber(field('VRAM Total Memory (B)'));
    if (totalBytes === undefined) continue;
    const usedBytes = toNumber(field('VRAM Total Used Memory (B)'));
    const name = String(
      field('Card series') ?? field('Card model') ?? field('Card SKU') ?? `AMD GPU ${card[1]}`,
    );
    gpus.push({
      vendor: 'amd',
      index: Number(card[1]),
      name,
      totalMiB: Math.floor(totalBytes / BYTES_PER_MIB),
      ...(usedBytes !== undefined ? { freeMiB: Math.floor((totalBytes - usedBytes) / BYTES_PER_MIB) } : {}),
    });
  }
  return gpus.sort((a, b) => a.index - b.index);
}

/** `xpu-smi discovery --json`: the device list (ids and names; memory needs the per-device query). */
export function parseXpuSmiDiscovery(text: string): Array<{ index: number; name: string }> {
  const data = parseJsonObject(text);
  const list = Array.isArray(data.device_list) ? data.device_list : [];
  return list.flatMap((entry: unknown) => {
    if (!isObject(entry)) return [];
    const index = toInt(entry.device_id);
    if (index === undefined) return [];
    if (entry.device_type !== undefined && String(entry.device_type).toUpperCase() !== 'GPU') return [];
    return [{ index, name: String(entry.device_name ?? `Intel GPU ${index}`) }];
  });
}

/** `xpu-smi discovery --device N --json`: memory_physical_size_byte and, where reported, memory_free_size_byte. */
export function parseXpuSmiDeviceDetails(text: string): GpuDevice | undefined {
  const data = parseJsonObject(text);
  const index = toInt(data.device_id);
  const totalBytes = toNumber(data.memory_physical_size_byte);
  if (index === undefined || totalBytes === undefined) return undefined;
  const freeBytes = toNumber(data.memory_free_size_byte);
  return {
    vendor: 'intel',
    index,
    name: String(data.device_name ?? `Intel GPU ${index}`),
    totalMiB: Math.floor(totalBytes / BYTES_PER_MIB),
    ...(freeBytes !== undefined ? { freeMiB: Math.floor(freeBytes / BYTES_PER_MIB) } : {}),
  };
}

function parseJsonObject(text: string): Record<string, unknown> {
  // Some tool versions print warnings before the JSON; start at the first brace.
  const start = text.indexOf('{');
  if (start < 0) return {};
  try {
    const parsed: unknown = JSON.parse(text.slice(start));
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lookup(obj: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : obj[key];
}

/** Numbers as the tools print them; "[N/A]", "[Not Supported]", "" and negatives are "unknown". */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

function toInt(value: unknown): number | undefined {
  const n = toNumber(value);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}
