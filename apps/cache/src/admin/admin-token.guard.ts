import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigService } from '@olt/shared';

/** Bearer token whose sha256 matches cache_service.admin_token_sha256; none configured = nobody gets in. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly config: ConfigService) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.current.cacheService.adminTokenSha256.toLowerCase();
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
      .headers.authorization;
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (!expected || !token)
      throw new UnauthorizedException(
        'send Authorization: Bearer <admin token> (cache_service.admin_token_sha256)',
      );
    const actual = Buffer.from(createHash('sha256').update(token).digest('hex'));
    if (!timingSafeEqual(actual, Buffer.from(expected))) throw new UnauthorizedException('wrong admin token');
    return true;
  }
}
