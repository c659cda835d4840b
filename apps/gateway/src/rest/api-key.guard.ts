import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ApiKeyAuthenticator } from '../tenancy/api-key-authenticator';
import type { Tenant } from '../tenancy/tenant';

type AuthedRequest = IncomingMessage & { tenant?: Tenant };

/** `Authorization: Bearer <api key>` → tenant, with the same authenticator (and messages) as gRPC. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly auth: ApiKeyAuthenticator) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    // Throws UNAUTHENTICATED (→ 401 through HttpErrorFilter) for a missing or unknown key.
    req.tenant = this.auth.authenticate(req.headers.authorization);
    return true;
  }
}

/** The tenant ApiKeyGuard authenticated. */
export const CurrentTenant = createParamDecorator(
  (_: unknown, context: ExecutionContext): Tenant =>
    context.switchToHttp().getRequest<AuthedRequest>().tenant!,
);
