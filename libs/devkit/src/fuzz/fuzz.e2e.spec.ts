import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grpcCallArbitrary } from './grpc-arbitraries';
import { describeGrpcCall } from './grpc-call';
import { httpInputArbitrary } from './http-arbitraries';
import { describeHttpInput } from './http-input';
import { dailySeed, sampleAt } from './input-seeds';
import { findingsList, formatFuzzReport } from './fuzz-report';
import { runFuzzCampaign } from './fuzz-campaign';

/** CI's slice: a rotating seed (one per UTC day) unless OLT_FUZZ_SEED replays a given one. */
const SEED = process.env.OLT_FUZZ_SEED ? Number(process.env.OLT_FUZZ_SEED) : dailySeed();

describe('fuzz suite', () => {
  it('regenerates the same input from a seed and an index (what makes a repro replayable)', () => {
    const targets = {
      routes: [{ method: 'GET', path: '/v1/sessions/{id}' }],
      apiKey: 'k',
      liveSessionId: 's',
      overlayToken: 't',
    };
    for (const index of [0, 7, 4242]) {
      assert.equal(
        describeHttpInput(sampleAt(httpInputArbitrary(targets), SEED, index)),
        describeHttpInput(sampleAt(httpInputArbitrary(targets), SEED, index)),
      );
      assert.equal(
        describeGrpcCall(sampleAt(grpcCallArbitrary, SEED, index)),
        describeGrpcCall(sampleAt(grpcCallArbitrary, SEED, index)),
      );
    }
    assert.notEqual(
      describeGrpcCall(sampleAt(grpcCallArbitrary, SEED, 1)) +
        describeGrpcCall(sampleAt(grpcCallArbitrary, SEED, 2)),
      describeGrpcCall(sampleAt(grpcCallArbitrary, SEED + 1, 1)) +
        describeGrpcCall(sampleAt(grpcCallArbitrary, SEED + 1, 2)),
      'another seed gives other inputs',
    );
  });

  it(
    `hostile HTTP/WS and gRPC inputs crash no process and get no 5xx/INTERNAL (seed ${SEED})`,
    { timeout: 180_000 },
    async () => {
      const report = await runFuzzCampaign({ seed: SEED, http: 250, ws: 50, grpc: 60, concurrency: 4 });
      console.log(formatFuzzReport(report));
      assert.ok(
        report.sent.http + report.sent.ws >= 300 && report.sent.grpc >= 60,
        'the whole slice was sent',
      );
      const found = findingsList(report);
      assert.equal(
        found.length,
        0,
        `seed ${SEED}: ${report.crashes.length} crashes, ${report.findings.length} failing inputs; replay one with the command shown:\n${found.join('\n')}`,
      );
    },
  );
});
