import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '@olt/shared';

/** A PEM certificate chain and its private key, as read from disk. */
export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

export interface CertificateLog {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * The gateway's TLS certificate and key files. Read once at start (a bad pair stops the gateway), then
 * polled: a renewed pair (cert-manager, a rotated Secret) is checked to load and handed to the listeners,
 * so new connections get it without a restart. A pair that does not load (half-written, key and certificate
 * of different renewals) is skipped with a warning and the current one kept until the next check.
 */
export class CertificateFiles {
  private current: KeyPair;
  private readonly listeners = new Set<(pair: KeyPair) => void>();
  private timer?: NodeJS.Timeout;
  private rejected?: KeyPair;
  private checking = false;
  /** Until the app's logger exists, reload notes go to stderr. */
  log: CertificateLog = {
    info: (m) => process.stderr.write(`${m}\n`),
    warn: (m) => process.stderr.write(`${m}\n`),
  };

  constructor(
    readonly certFile: string,
    readonly keyFile: string,
  ) {
    let pair: KeyPair;
    try {
      pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
    } catch (err) {
      throw new ConfigError([`config: gateway TLS files cannot be read: ${(err as Error).message}`]);
    }
    const problem = loadProblem(pair);
    if (problem)
      throw new ConfigError([`config: gateway TLS pair ${certFile} + ${keyFile} does not load: ${problem}`]);
    this.current = pair;
  }

  get pair(): KeyPair {
    return this.current;
  }

  onChange(listener: (pair: KeyPair) => void): void {
    this.listeners.add(listener);
  }

  /** Starts polling; polling (not fs.watch) sees Kubernetes' symlink swaps of mounted Secrets too. */
  watch(intervalMs: number): this {
    this.timer ??= setInterval(() => void this.check(), intervalMs).unref();
    return this;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads both files; true when a new pair was taken. */
  async check(): Promise<boolean> {
    if (this.checking) return false;
    this.checking = true;
    try {
      const pair = { cert: await readFile(this.certFile), key: await readFile(this.keyFile) };
      if (samePair(pair, this.current)) return false;
      const problem = loadProblem(pair);
      if (problem) {
        // Warn once per bad pair, not on every check while a renewal is half-way.
        if (!this.rejected || !samePair(pair, this.rejected))
          this.log.warn(`TLS certificate change not taken (keeping the current one): ${problem}`);
        this.rejected = pair;
        return false;
      }
      this.current = pair;
      for (const listener of this.listeners) listener(pair);
      this.log.info(`TLS certificate reloaded from ${this.certFile}`);
      return true;
    } catch (err) {
      this.log.warn(`TLS files cannot be read (keeping the current certificate): ${(err as Error).message}`);
      return false;
    } finally {
      this.checking = false;
    }
  }
}

const samePair = (a: KeyPair, b: KeyPair) => a.cert.equals(b.cert) && a.key.equals(b.key);

/** Why Node's TLS cannot use this pair (unparsable PEM, key not matching the certificate), or undefined. */
function loadProblem(pair: KeyPair): string | undefined {
  try {
    createSecureContext(pair);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
