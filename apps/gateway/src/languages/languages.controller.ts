import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { SERVICE_NAME, type ListLanguagesResponse } from '@olt/shared';
import { toRpcException } from '../grpc/rpc-error';
import { UnexpectedErrors } from '../infra/unexpected-errors';
import { DeploymentLanguages } from './deployment-languages';

/** ListLanguages: what this deployment can hear and translate into right now. */
@Controller()
export class LanguagesController {
  constructor(
    private readonly deployment: DeploymentLanguages,
    private readonly unexpected: UnexpectedErrors,
  ) {}

  @GrpcMethod(SERVICE_NAME, 'ListLanguages')
  async listLanguages(): Promise<ListLanguagesResponse> {
    try {
      return { languages: await this.deployment.catalogue() };
    } catch (err) {
      throw toRpcException(err, this.unexpected, 'ListLanguages');
    }
  }
}
