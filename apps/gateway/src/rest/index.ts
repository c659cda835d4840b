import { ApiKeyGuard } from './api-key.guard';
import { FeedWebSocketServer } from './feed-websocket.server';
import { HttpErrorFilter } from './http-error.filter';
import { LanguagesRestController } from './languages-rest.controller';
import { SessionsController } from './sessions.controller';
import { TextTranslation } from './text-translation';
import { TranslateRestController } from './translate.controller';

export { setupApiDocs } from './api-docs';
export { HttpErrorFilter, httpError, type ErrorBody } from './http-error.filter';

/**
 * The REST API's controllers and providers. They are registered in AppModule itself (not a sub-module)
 * because they share its TranslationService and ApiKeyAuthenticator instances.
 */
export const REST_CONTROLLERS = [TranslateRestController, LanguagesRestController, SessionsController];
export const REST_PROVIDERS = [TextTranslation, ApiKeyGuard, FeedWebSocketServer, HttpErrorFilter];
