import type {
  LiveTranslateClient,
  ListLanguagesResponse__Output,
  TranslateTextResponse__Output,
} from '@olt/shared';
import { grpcError, usageError } from '../exit-codes';
import { unary } from '../grpc/gateway-client';

export interface TranslateOptions {
  server: string;
  key?: string;
  text: string;
  to: string[];
  from: string;
  json: boolean;
}

/** `olt translate "text" --to es,fr --from en`: one line per target, `es: texto`. */
export async function translateCommand(client: LiveTranslateClient, opts: TranslateOptions): Promise<string> {
  if (!opts.text.trim())
    throw usageError('translate needs the text to translate: olt translate "hello" --to es --from en');
  if (opts.to.length === 0) throw usageError('translate needs --to (e.g. --to es,fr)');
  if (!opts.from)
    throw usageError('translate needs --from (the source language; text has no language detection)');
  const res = await unary<object, TranslateTextResponse__Output>(
    client.translateText.bind(client) as never,
    { text: opts.text, sourceLanguage: opts.from, targetLanguages: opts.to },
    opts.key,
  ).catch((err) => {
    throw grpcError(err, opts.server);
  });
  if (opts.json) return `${JSON.stringify(res)}\n`;
  return res.translations.map((t) => `${t.targetLanguage}: ${t.text}\n`).join('');
}

/** `olt languages`: code, FLORES code, Whisper code, name, and what it can be used for. */
export async function languagesCommand(
  client: LiveTranslateClient,
  server: string,
  key: string | undefined,
  json: boolean,
): Promise<string> {
  const res = await unary<object, ListLanguagesResponse__Output>(
    client.listLanguages.bind(client) as never,
    {},
    key,
  ).catch((err) => {
    throw grpcError(err, server);
  });
  if (json) return `${JSON.stringify(res.languages)}\n`;
  return res.languages
    .map((l) => {
      const uses = [l.asrSource ? 'speech' : '', l.mtTarget ? 'target' : ''].filter(Boolean).join(',');
      return `${l.code.padEnd(8)} ${l.floresCode.padEnd(10)} ${(l.whisperCode || '-').padEnd(6)} ${uses.padEnd(13)} ${l.name}\n`;
    })
    .join('');
}
