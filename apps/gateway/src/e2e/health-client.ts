import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

interface HealthStub extends grpc.Client {
  check(
    req: { service: string },
    cb: (err: grpc.ServiceError | null, res?: { status: string }) => void,
  ): void;
}

/** Minimal grpc.health.v1 client (what Kubernetes' gRPC probe speaks). */
export class HealthClient {
  private readonly stub: HealthStub;

  constructor(address: string) {
    const def = protoLoader.loadSync(healthProtoPath, { enums: String, keepCase: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { health: { v1: { Health: new (addr: string, creds: grpc.ChannelCredentials) => HealthStub } } };
    };
    this.stub = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
  }

  check(service: string): Promise<string> {
    return new Promise((resolve, reject) =>
      this.stub.check({ service }, (err, res) => {
        this.stub.close();
        if (err) reject(err);
        else resolve(res!.status);
      }),
    );
  }
}
