import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GpuDevice } from './gpu-device';
import { readSmiFixture } from './recorded-command-runner';
import {
  parseNvidiaSmiCsv,
  parseRocmSmiJson,
  parseXpuSmiDeviceDetails,
  parseXpuSmiDiscovery,
} from './smi-parsers';

const nvidia = (index: number, name: string, totalMiB: number, freeMiB?: number): GpuDevice => ({
  vendor: 'nvidia',
  index,
  name,
  totalMiB,
  ...(freeMiB !== undefined ? { freeMiB } : {}),
});

describe('nvidia-smi CSV parser (recorded outputs)', () => {
  const cases: Array<[string, GpuDevice[]]> = [
    ['nvidia-smi-rtx3060.txt', [nvidia(0, 'NVIDIA GeForce RTX 3060', 12288, 11786)]],
    ['nvidia-smi-t4.txt', [nvidia(0, 'Tesla T4', 15360, 14913)]],
    ['nvidia-smi-gtx1650.txt', [nvidia(0, 'NVIDIA GeForce GTX 1650', 4096, 3721)]],
    ['nvidia-smi-gtx1050.txt', [nvidia(0, 'NVIDIA GeForce GTX 1050', 2048, 1650)]],
    [
      'nvidia-smi-4x-a100.txt',
      [
        nvidia(0, 'NVIDIA A100-SXM4-80GB', 81920, 81050),
        nvidia(1, 'NVIDIA A100-SXM4-80GB', 81920, 3211),
        nvidia(2, 'NVIDIA A100-SXM4-80GB', 81920, 81050),
        nvidia(3, 'NVIDIA A100-SXM4-80GB', 81920, 80897),
      ],
    ],
    // Memory the tool cannot report is not guessed: the card is left out.
    ['nvidia-smi-na-memory.txt', []],
    ['nvidia-smi-no-driver.txt', []],
  ];
  for (const [fixture, expected] of cases) {
    it(`reads ${fixture}`, () => assert.deepEqual(parseNvidiaSmiCsv(readSmiFixture(fixture)), expected));
  }

  it('keeps commas inside a card name and reads free as unknown when it is [N/A]', () => {
    assert.deepEqual(parseNvidiaSmiCsv('2, Quadro RTX 8000, Rev 2, 49152, [N/A]\n'), [
      nvidia(2, 'Quadro RTX 8000, Rev 2', 49152),
    ]);
  });
});

describe('rocm-smi JSON parser (recorded outputs)', () => {
  const cases: Array<[string, GpuDevice[]]> = [
    [
      'rocm-smi-mi210.json',
      [{ vendor: 'amd', index: 0, name: 'AMD Instinct MI210', totalMiB: 65520, freeMiB: 65509 }],
    ],
    [
      'rocm-smi-rx7900xtx-and-igpu.json',
      [
        {
          vendor: 'amd',
          index: 0,
          name: 'Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]',
          totalMiB: 24560,
          freeMiB: 23239,
        },
        { vendor: 'amd', index: 1, name: 'Raphael', totalMiB: 512, freeMiB: 424 },
      ],
    ],
    [
      'rocm-smi-meminfo-only.json',
      [{ vendor: 'amd', index: 0, name: 'AMD GPU 0', totalMiB: 8176, freeMiB: 1576 }],
    ],
  ];
  for (const [fixture, expected] of cases) {
    it(`reads ${fixture}`, () => assert.deepEqual(parseRocmSmiJson(readSmiFixture(fixture)), expected));
  }

  it('skips a warning printed before the JSON and returns nothing for garbage', () => {
    const text = `WARNING: AMD GPU device(s) is/are in a low-power state\n${readSmiFixture('rocm-smi-mi210.json')}`;
    assert.equal(parseRocmSmiJson(text).length, 1);
    assert.deepEqual(parseRocmSmiJson('ERROR: no devices'), []);
  });
});

describe('xpu-smi JSON parsers (recorded outputs)', () => {
  it('lists devices from discovery --json', () => {
    assert.deepEqual(parseXpuSmiDiscovery(readSmiFixture('xpu-smi-discovery-flex170.json')), [
      { index: 0, name: 'Intel(R) Data Center GPU Flex 170' },
      { index: 1, name: 'Intel(R) Data Center GPU Flex 170' },
    ]);
    assert.deepEqual(parseXpuSmiDiscovery(readSmiFixture('xpu-smi-discovery-arc-a770.json')), [
      { index: 0, name: 'Intel(R) Arc(TM) A770 Graphics' },
    ]);
  });

  const details: Array<[string, GpuDevice]> = [
    [
      'xpu-smi-discovery-d0-flex170.json',
      {
        vendor: 'intel',
        index: 0,
        name: 'Intel(R) Data Center GPU Flex 170',
        totalMiB: 13536,
        freeMiB: 13507,
      },
    ],
    [
      'xpu-smi-discovery-d1-flex170.json',
      {
        vendor: 'intel',
        index: 1,
        name: 'Intel(R) Data Center GPU Flex 170',
        totalMiB: 13536,
        freeMiB: 2048,
      },
    ],
    // Consumer cards' drivers may not report free memory.
    [
      'xpu-smi-discovery-d0-arc-a770.json',
      { vendor: 'intel', index: 0, name: 'Intel(R) Arc(TM) A770 Graphics', totalMiB: 16288 },
    ],
  ];
  for (const [fixture, expected] of details) {
    it(`reads device details ${fixture}`, () =>
      assert.deepEqual(parseXpuSmiDeviceDetails(readSmiFixture(fixture)), expected));
  }
});
