import type OBSWebSocketDefault from 'obs-websocket-js';
import type { ObsSocketPort } from './obs-socket.port';

type ObsWebSocketInstance = InstanceType<typeof OBSWebSocketDefault>;
type ObsWebSocketLib = { OBSWebSocket: new () => ObsWebSocketInstance };

let lib: ObsWebSocketLib | undefined;
/**
 * obs-websocket-js is ESM-first. Its CommonJS build is reached through the "./json" export (the bare
 * package name gives the msgpack flavour under require); TypeScript's node10 resolution cannot see that
 * export, so it is required at run time and typed from the package's main types.
 */
function loadLib(): ObsWebSocketLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lib ??= require('obs-websocket-js/json') as ObsWebSocketLib;
  return lib;
}

/** ObsSocketPort over obs-websocket-js (JSON protocol). One instance per connection attempt. */
export class ObsWebSocketSocket implements ObsSocketPort {
  private readonly ws: ObsWebSocketInstance = new (loadLib().OBSWebSocket)();

  async connect(url: string, password: string): Promise<{ obsWebSocketVersion: string }> {
    const hello = await this.ws.connect(url, password || undefined);
    return { obsWebSocketVersion: hello.obsWebSocketVersion };
  }

  async disconnect(): Promise<void> {
    await this.ws.disconnect();
  }

  async call(requestType: string, requestData?: Record<string, unknown>): Promise<Record<string, unknown>> {
    // The request name is checked by OBS (it answers 204 UnknownRequestType), not by these typings.
    const call = this.ws.call.bind(this.ws) as (t: string, d?: object) => Promise<unknown>;
    return ((await call(requestType, requestData)) ?? {}) as Record<string, unknown>;
  }

  onClose(listener: (code: number, reason: string) => void): void {
    this.ws.once('ConnectionClosed', (err) => listener(err.code, err.message));
  }
}
