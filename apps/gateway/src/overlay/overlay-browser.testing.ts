/**
 * Test support for the overlay page in a real headless Chromium (Debian `chromium` + playwright-core).
 * Imported by specs only; playwright-core is a root devDependency and never loaded by the gateway itself.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '@olt/devkit';
import { findOnPath, needsProgram } from '@olt/devkit/dist/testing';

/* Browser globals used inside page.evaluate callbacks, which run in Chromium (the gateway compiles without
   the DOM lib). */
/* eslint-disable-next-line @typescript-eslint/no-explicit-any */
declare const document: any, window: any;

/** Skip reason for `describe` when Chromium is missing (a failing test under CI), else false. */
export function needsChromium(checks: string): string | false {
  return needsProgram('chromium', checks);
}

export function launchChromium(): Promise<Browser> {
  const executablePath = findOnPath('chromium');
  if (!executablePath) throw new Error('chromium is not on the PATH: apt-get install chromium');
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** test-artifacts/ at the repository root: CI keeps it for people to look at. */
export function artifactPath(name: string): string {
  const dir = join(repoRoot(), 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * Puts a busy, high-contrast "game" behind the transparent overlay (noise over bright gradients and
 * white/black blocks), the worst case for legibility, so the screenshot shows what a viewer would see.
 */
export async function paintBusyBackground(page: Page): Promise<void> {
  await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = window.innerWidth;
    canvas.height = window.innerHeight;
    canvas.style.cssText = 'position:fixed;inset:0;z-index:-1';
    const ctx = canvas.getContext('2d')!;
    const g = ctx.createLinearGradient(0, 0, canvas.width, canvas.height);
    ['#ff004d', '#ffe600', '#00e5ff', '#ffffff', '#2b00ff', '#00ff6a'].forEach((c, i, all) =>
      g.addColorStop(i / (all.length - 1), c),
    );
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 1500; i++) {
      ctx.fillStyle = rand() < 0.5 ? `rgba(255,255,255,${rand()})` : `rgba(0,0,0,${rand()})`;
      ctx.fillRect(rand() * canvas.width, rand() * canvas.height, 10 + rand() * 120, 4 + rand() * 60);
    }
    document.body.prepend(canvas);
  });
}
