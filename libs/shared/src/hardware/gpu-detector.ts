import type { CommandResult, CommandRunner } from './command-runner';
import type { GpuDevice, GpuInventory } from './gpu-device';
import {
  parseNvidiaSmiCsv,
  parseRocmSmiJson,
  parseXpuSmiDeviceDetails,
  parseXpuSmiDiscovery,
} from './smi-parsers';

export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,memory.total,memory.free',
  '--format=csv,noheader,nounits',
] as const;
export const ROCM_SMI_ARGS = ['--showproductname', '--showmeminfo', 'vram', '--json'] as const;
export const XPU_SMI_LIST_ARGS = ['discovery', '--json'] as const;
export const xpuSmiDeviceArgs = (index: number) => ['discovery', '--device', String(index), '--json'];

/**
 * Finds GPUs by asking nvidia-smi, rocm-smi and xpu-smi. A missing tool means "no GPU of that vendor"; a
 * tool that fails or prints something unreadable is noted (so the operator sees why) and counts as none.
 */
export class GpuDetector {
  constructor(
    private readonly runner: CommandRunner,
    private readonly timeoutMs = 5000,
  ) {}

  async detect(): Promise<GpuInventory> {
    const notes: string[] = [];
    const [nvidia, amd, intel] = await Promise.all([this.nvidia(notes), this.amd(notes), this.intel(notes)]);
    return { gpus: [...nvidia, ...amd, ...intel], notes };
  }

  private async nvidia(notes: string[]): Promise<GpuDevice[]> {
    const result = await this.runner.run('nvidia-smi', NVIDIA_SMI_ARGS, this.timeoutMs);
    return this.parsed('nvidia-smi', result, notes, parseNvidiaSmiCsv);
  }

  private async amd(notes: string[]): Promise<GpuDevice[]> {
    const result = await this.runner.run('rocm-smi', ROCM_SMI_ARGS, this.timeoutMs);
    return this.parsed('rocm-smi', result, notes, parseRocmSmiJson);
  }

  private async intel(notes: string[]): Promise<GpuDevice[]> {
    const list = await this.runner.run('xpu-smi', XPU_SMI_LIST_ARGS, this.timeoutMs);
    const devices = this.parsed('xpu-smi', list, notes, parseXpuSmiDiscovery);
    // The list has no memory figures; each device's details do.
    const details = await Promise.all(
      devices.map(async ({ index, name }) => {
        const result = await this.runner.run('xpu-smi', xpuSmiDeviceArgs(index), this.timeoutMs);
        const parsed = this.parsed(`xpu-smi (device ${index})`, result, notes, (text) => {
          const device = parseXpuSmiDeviceDetails(text);
          return device ? [device] : [];
        });
        if (!parsed.length) notes.push(`xpu-smi: no memory size for device ${index} (${name}); not used`);
        return parsed;
      }),
    );
    return details.flat();
  }

  private parsed<T>(tool: string, result: CommandResult, notes: string[], parse: (text: string) => T[]): T[] {
    if (!result.found) return [];
    if (result.error || result.exitCode !== 0) {
      const why = result.error ?? `exit code ${result.exitCode}`;
      const said = firstLine(result.stderr) || firstLine(result.stdout);
      notes.push(`${tool}: ${why}${said ? `: ${said}` : ''}`);
      return [];
    }
    const items = parse(result.stdout);
    if (!items.length)
      notes.push(`${tool}: no GPU found in its output (${firstLine(result.stdout) || 'empty'})`);
    return items;
  }
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .find((l) => l.trim())
      ?.trim()
      .slice(0, 200) ?? ''
  );
}
