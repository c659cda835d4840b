import type { LiteSchema } from './schema-check';

/**
 * Hand-written subsets of the CRD schemas of KEDA 2.x (ScaledObject), the Prometheus operator
 * (ServiceMonitor, PrometheusRule) and Gateway API v1 (GRPCRoute, HTTPRoute): kubernetes-models ships
 * only the core Kubernetes API and the CRD packages (@kubernetes-models/keda, …) are not installed.
 * Objects the chart renders are checked field by field against these; fields outside the subset are errors
 * (additionalProperties: false), so a typo cannot slip through, but a field the real CRD accepts and this
 * subset lacks needs adding here.
 */
const str: LiteSchema = { type: 'string' };
const int: LiteSchema = { type: 'integer' };
const strMap: LiteSchema = { type: 'object', additionalProperties: str };
const obj = (properties: Record<string, LiteSchema>, required: string[] = []): LiteSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const metadata = obj({ name: str, namespace: str, labels: strMap, annotations: strMap }, ['name']);
const crd = (apiVersion: string, kind: string, spec: LiteSchema): LiteSchema =>
  obj({ apiVersion: { enum: [apiVersion] }, kind: { enum: [kind] }, metadata, spec }, [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
  ]);

const durationPattern = '^([0-9]+(ms|s|m|h))+$';

const scaledObject = crd(
  'keda.sh/v1alpha1',
  'ScaledObject',
  obj(
    {
      scaleTargetRef: obj({ name: str, kind: str, apiVersion: str, envSourceContainerName: str }, ['name']),
      pollingInterval: int,
      cooldownPeriod: int,
      initialCooldownPeriod: int,
      idleReplicaCount: int,
      minReplicaCount: { type: 'integer', minimum: 0 },
      maxReplicaCount: { type: 'integer', minimum: 1 },
      fallback: obj({ failureThreshold: int, replicas: int }, ['failureThreshold', 'replicas']),
      advanced: obj({
        restoreToOriginalReplicaCount: { type: 'boolean' },
        horizontalPodAutoscalerConfig: obj({ name: str, behavior: { type: 'object' } }),
      }),
      triggers: {
        type: 'array',
        minItems: 1,
        items: obj(
          {
            type: str,
            name: str,
            metricType: { enum: ['AverageValue', 'Value', 'Utilization'] },
            useCachedMetrics: { type: 'boolean' },
            authenticationRef: obj({ name: str, kind: str }, ['name']),
            // KEDA reads every metadata value as a string.
            metadata: { type: 'object', additionalProperties: str },
          },
          ['type', 'metadata'],
        ),
      },
    },
    ['scaleTargetRef', 'triggers'],
  ),
);

const prometheusTrigger = obj(
  {
    serverAddress: { type: 'string', pattern: '^https?://' },
    query: str,
    threshold: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
    activationThreshold: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
    namespace: str,
    ignoreNullValues: str,
    unsafeSsl: str,
  },
  ['serverAddress', 'query', 'threshold'],
);

const serviceMonitor = crd(
  'monitoring.coreos.com/v1',
  'ServiceMonitor',
  obj(
    {
      jobLabel: str,
      selector: obj({ matchLabels: strMap, matchExpressions: { type: 'array' } }),
      namespaceSelector: obj({ any: { type: 'boolean' }, matchNames: { type: 'array', items: str } }),
      endpoints: {
        type: 'array',
        minItems: 1,
        items: obj({
          port: str,
          targetPort: { type: ['string', 'integer'] },
          path: str,
          scheme: { enum: ['http', 'https'] },
          interval: { type: 'string', pattern: durationPattern },
          scrapeTimeout: { type: 'string', pattern: durationPattern },
          honorLabels: { type: 'boolean' },
          relabelings: { type: 'array' },
          metricRelabelings: { type: 'array' },
        }),
      },
    },
    ['selector', 'endpoints'],
  ),
);

const rule = obj({
  alert: str,
  record: str,
  expr: { type: ['string', 'integer'] },
  for: { type: 'string', pattern: durationPattern },
  keep_firing_for: { type: 'string', pattern: durationPattern },
  labels: strMap,
  annotations: strMap,
}, ['expr']);
const prometheusRule = crd(
  'monitoring.coreos.com/v1',
  'PrometheusRule',
  obj(
    {
      groups: {
        type: 'array',
        minItems: 1,
        items: obj(
          {
            name: str,
            interval: { type: 'string', pattern: durationPattern },
            limit: int,
            rules: { type: 'array', minItems: 1, items: rule },
          },
          ['name', 'rules'],
        ),
      },
    },
    ['groups'],
  ),
);

const parentRef = obj({ name: str, namespace: str, sectionName: str, port: int, group: str, kind: str }, ['name']);
const backendRef = obj({ name: str, namespace: str, port: int, weight: int, group: str, kind: str }, ['name']);
const grpcRoute = crd(
  'gateway.networking.k8s.io/v1',
  'GRPCRoute',
  obj(
    {
      parentRefs: { type: 'array', minItems: 1, items: parentRef },
      hostnames: { type: 'array', items: str },
      rules: {
        type: 'array',
        items: obj({
          matches: {
            type: 'array',
            items: obj({
              method: obj({ type: { enum: ['Exact', 'RegularExpression'] }, service: str, method: str }),
              headers: { type: 'array' },
            }),
          },
          backendRefs: { type: 'array', items: backendRef },
          filters: { type: 'array' },
        }),
      },
    },
    ['parentRefs'],
  ),
);
const httpRoute = crd(
  'gateway.networking.k8s.io/v1',
  'HTTPRoute',
  obj(
    {
      parentRefs: { type: 'array', minItems: 1, items: parentRef },
      hostnames: { type: 'array', items: str },
      rules: {
        type: 'array',
        items: obj({
          matches: {
            type: 'array',
            items: obj({
              path: obj({ type: { enum: ['Exact', 'PathPrefix', 'RegularExpression'] }, value: str }),
              headers: { type: 'array' },
              method: str,
            }),
          },
          backendRefs: { type: 'array', items: backendRef },
          filters: { type: 'array' },
          timeouts: obj({ request: str, backendRequest: str }),
        }),
      },
    },
    ['parentRefs'],
  ),
);

export const CRD_SCHEMAS: Record<string, LiteSchema> = {
  'keda.sh/v1alpha1/ScaledObject': scaledObject,
  'monitoring.coreos.com/v1/ServiceMonitor': serviceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': prometheusRule,
  'gateway.networking.k8s.io/v1/GRPCRoute': grpcRoute,
  'gateway.networking.k8s.io/v1/HTTPRoute': httpRoute,
};

/** Per trigger type, the metadata keys KEDA's scaler reads. */
export const KEDA_TRIGGER_METADATA: Record<string, LiteSchema> = { prometheus: prometheusTrigger };
