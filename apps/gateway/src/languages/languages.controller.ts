import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { QUEUE_REDIS, SERVICE_NAME, listLanguages, type ListLanguagesResponse } from '@olt/shared';
import { toRpcException } from '../grpc/rpc-error';
import { DeploymentLanguages } from './deployment-languages';

/**
 * Every known language with its codes; `asr_source` = Whisper knows it, `mt_target` = a live translate
 * worker's model has its language token (announced in the queue Redis), so a deployment running a model
 * with fewer languages, or no translate worker at all, says so.
 */
@Controller()
export class LanguagesController {
  private readonly deployment: DeploymentLanguages;

  constructor(@Inject(QUEUE_REDIS) redis: Redis) {
    this.deployment = new DeploymentLanguages(redis);
  }

  @GrpcMethod(SERVICE_NAME, 'ListLanguages')
  async listLanguages(): Promise<ListLanguagesResponse> {
    try {
      const targets = await this.deployment.mtTargets();
      return {
        languages: listLanguages().map((l) => ({
          code: l.bcp47,
          floresCode: l.flores,
          whisperCode: l.whisper,
          name: l.name,
          asrSource: l.whisper !== '',
          mtTarget: l.flores !== '' && targets.has(l.flores),
        })),
      };
    } catch (err) {
      throw toRpcException(err);
    }
  }
}
