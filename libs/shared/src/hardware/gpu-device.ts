export type GpuVendor = 'nvidia' | 'amd' | 'intel';

/** One GPU as a vendor tool reports it. Memory is in MiB (nvidia-smi's unit; the others are converted). */
export interface GpuDevice {
  vendor: GpuVendor;
  /** The tool's device index (nvidia-smi index, rocm-smi cardN, xpu-smi device_id). */
  index: number;
  name: string;
  totalMiB: number;
  /** Undefined when the tool does not report free memory for this device. */
  freeMiB?: number;
}

/** What detection found, and why a vendor found nothing (tool missing, driver not loaded, bad output). */
export interface GpuInventory {
  gpus: GpuDevice[];
  notes: string[];
}

export const BYTES_PER_MIB = 1024 * 1024;
