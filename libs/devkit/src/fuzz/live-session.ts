import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { StreamRequest, StreamResponse__Output } from '@olt/shared';
import { bearer, createLiveTranslateClient } from '../client';

export interface LiveSession {
  sessionId: string;
  overlayToken: string;
  close(): void;
}

/**
 * Opens one well-behaved stream and keeps it open, so the HTTP inputs meet a live session (feeds, overlay,
 * session status) and have a valid overlay token to get past auth.
 */
export async function openLiveSession(
  grpcAddress: string,
  apiKey: string,
  sessionId: string,
): Promise<LiveSession> {
  const client = createLiveTranslateClient(grpcAddress);
  const call: ClientDuplexStream<StreamRequest, StreamResponse__Output> = client.streamTranslate(
    bearer(apiKey),
  );
  call.on('error', () => undefined);
  const started = await new Promise<StreamResponse__Output>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no SessionStarted within 10 s')), 10_000);
    call.on('data', (r: StreamResponse__Output) => {
      if (r.started) {
        clearTimeout(timer);
        resolve(r);
      }
    });
    call.write({
      config: {
        sessionId,
        audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
      },
    });
  });
  const overlayToken = new URL(started.started!.overlayUrl).searchParams.get('token') ?? '';
  return {
    sessionId,
    overlayToken,
    close: () => {
      call.end();
      client.close();
    },
  };
}
