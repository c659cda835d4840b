import { Controller } from '@nestjs/common';
import { GrpcStreamCall } from '@nestjs/microservices';
import { SERVICE_NAME } from '@olt/shared';
import { SessionService, type IncomingCall } from './session.service';

/**
 * StreamTranslate. @GrpcStreamCall hands us the raw duplex call so the session can pause/resume it
 * (@GrpcStreamMethod would buffer inbound messages without backpressure).
 */
@Controller()
export class StreamTranslateController {
  constructor(private readonly sessions: SessionService) {}

  @GrpcStreamCall(SERVICE_NAME, 'StreamTranslate')
  streamTranslate(call: IncomingCall): Promise<void> {
    return this.sessions.open(call);
  }
}
