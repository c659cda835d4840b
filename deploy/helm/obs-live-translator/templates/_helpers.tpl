{{/* Names and labels. */}}
{{- define "olt.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "olt.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "olt.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "olt.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "olt.selectorLabels" -}}
app.kubernetes.io/name: {{ include "olt.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "olt.labels" -}}
{{ include "olt.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: obs-live-translator
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* <registry>/<app>:<tag>[-<variant>] */}}
{{- define "olt.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag -}}
{{- if .variant -}}{{- $tag = printf "%s-%s" $tag .variant -}}{{- end -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .app $tag -}}
{{- end -}}

{{/*
Deep merge that keeps zeros and falses from the override (sprig's merge/mergeOverwrite skip "empty" values,
so a pool's `gpuCount: 0` or `minReplicas: 0` would silently become the default's 1).
*/}}
{{- define "olt.merge" -}}
{{- $base := deepCopy .base -}}
{{- range $k, $v := .override -}}
{{- $cur := get $base $k -}}
{{- if and (kindIs "map" $v) (kindIs "map" $cur) -}}
{{- $_ := set $base $k (include "olt.merge" (dict "base" $cur "override" $v) | fromYaml) -}}
{{- else -}}
{{- $_ := set $base $k $v -}}
{{- end -}}
{{- end -}}
{{- toYaml $base -}}
{{- end -}}

{{/*
Every enabled worker pool, resolved: kind (asr|translate) x vendor (cpu|nvidia|amd|intel) x tier, with
poolDefaults (and gpuPoolDefaults for GPU pools) under the pool's own values, the tier's model and
precision and the vendor's execution providers filled in. Output: YAML {pools: [...]}.
*/}}
{{- define "olt.pools" -}}
{{- $root := . -}}
{{- $pools := list -}}
{{- range $kind := list "asr" "translate" -}}
{{- $w := index $root.Values (printf "%sWorker" $kind) -}}
{{- if $w.enabled -}}
{{- $candidates := list -}}
{{- if $w.cpu.enabled -}}
{{- $candidates = append $candidates (dict "vendor" "cpu" "tier" "cpu" "values" $w.cpu) -}}
{{- end -}}
{{- range $vendor := list "nvidia" "amd" "intel" -}}
{{- range $tier := list "high" "medium" "low" -}}
{{- $p := index $w.gpu $vendor $tier -}}
{{- if $p.enabled -}}
{{- $candidates = append $candidates (dict "vendor" $vendor "tier" $tier "values" $p) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $c := $candidates -}}
{{- $cfg := include "olt.merge" (dict "base" $root.Values.poolDefaults "override" dict) | fromYaml -}}
{{- if ne $c.vendor "cpu" -}}
{{- $cfg = include "olt.merge" (dict "base" $cfg "override" $root.Values.gpuPoolDefaults) | fromYaml -}}
{{- end -}}
{{- $cfg = include "olt.merge" (dict "base" $cfg "override" $c.values) | fromYaml -}}
{{- $tierDefaults := index $root.Values.tiers $c.tier $kind -}}
{{- if not (hasKey $cfg "model") -}}{{- $_ := set $cfg "model" $tierDefaults.model -}}{{- end -}}
{{- if not (hasKey $cfg "precision") -}}{{- $_ := set $cfg "precision" $tierDefaults.precision -}}{{- end -}}
{{- if not (hasKey $cfg "executionProviders") -}}
{{- if eq $c.vendor "cpu" -}}
{{- $_ := set $cfg "executionProviders" (list "cpu") -}}
{{- else -}}
{{- $_ := set $cfg "executionProviders" (index $root.Values.vendors $c.vendor).executionProviders -}}
{{- end -}}
{{- end -}}
{{- $name := ternary (printf "%s-cpu" $kind) (printf "%s-%s-%s" $kind $c.vendor $c.tier) (eq $c.vendor "cpu") -}}
{{- $queue := ternary (printf "asr-v1-%s" $c.tier) "translate-v1" (eq $kind "asr") -}}
{{- $pools = append $pools (dict "kind" $kind "vendor" $c.vendor "tier" $c.tier "name" $name "queue" $queue "cfg" $cfg) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "pools" $pools) -}}
{{- end -}}

{{/* keda | hpa | none for one pool's autoscaling block. */}}
{{- define "olt.scalingMode" -}}
{{- $mode := .autoscaling.mode -}}
{{- if eq $mode "auto" -}}
{{- $mode = ternary "keda" "hpa" (.root.Capabilities.APIVersions.Has "keda.sh/v1alpha1/ScaledObject") -}}
{{- end -}}
{{- $mode -}}
{{- end -}}

{{/* true when the Prometheus operator's CRDs should be used for `enabled: auto|true|false`. */}}
{{- define "olt.monitoringEnabled" -}}
{{- $e := toString .enabled -}}
{{- if eq $e "auto" -}}
{{- .root.Capabilities.APIVersions.Has "monitoring.coreos.com/v1" -}}
{{- else -}}
{{- eq $e "true" -}}
{{- end -}}
{{- end -}}

{{/* The model every translate pool runs: the gateway puts it into cache keys, so they must agree. */}}
{{- define "olt.translateModel" -}}
{{- $models := list -}}
{{- range $p := (include "olt.pools" . | fromYaml).pools -}}
{{- if eq $p.kind "translate" -}}{{- $models = append $models $p.cfg.model | uniq -}}{{- end -}}
{{- end -}}
{{- if gt (len $models) 1 -}}
{{- fail (printf "translate pools run different models (%s): the gateway names one model in every translation cache key, so all translate pools must run the same translate model; set the same `model` on each pool" (join ", " $models)) -}}
{{- end -}}
{{- if $models -}}{{- first $models -}}{{- else -}}{{- .Values.tiers.cpu.translate.model -}}{{- end -}}
{{- end -}}

{{- define "olt.redisSecretName" -}}
{{- default (printf "%s-redis" (include "olt.fullname" .)) .Values.redis.existingSecret -}}
{{- end -}}

{{- define "olt.tenantsSecretName" -}}
{{- default (printf "%s-tenants" (include "olt.fullname" .)) .Values.tenants.existingSecret -}}
{{- end -}}

{{/* The olt.toml every process reads: the user's `config` plus what the chart owns. */}}
{{- define "olt.configToml" -}}
{{- /* Two levels (section.key), merged without a YAML round trip so integers stay integers in TOML. */ -}}
{{- $cfg := deepCopy .Values.config -}}
{{- $owned := dict
  "gateway" (dict "grpc_port" (int .Values.gateway.grpcPort) "http_port" (int .Values.gateway.httpPort) "admin_port" (int .Values.gateway.adminPort) "public_url" .Values.gateway.publicUrl)
  "redis" (dict "key_prefix" .Values.redis.keyPrefix)
  "workers" (dict "http_port" 9090)
  "models" (dict "dir" "/models")
  "auth" (dict "allow_anonymous" .Values.tenants.allowAnonymous) -}}
{{- range $section, $keys := $owned -}}
{{- $cur := get $cfg $section -}}
{{- if not (kindIs "map" $cur) -}}{{- $cur = dict -}}{{- end -}}
{{- range $k, $v := $keys -}}{{- $_ := set $cur $k $v -}}{{- end -}}
{{- $_ := set $cfg $section $cur -}}
{{- end -}}
{{- /* Helm reads YAML numbers as floats; TOML would print 500 as 500.0, which integer keys reject. */ -}}
{{- range $section, $keys := $cfg -}}
{{- if kindIs "map" $keys -}}
{{- range $k, $v := $keys -}}
{{- if and (kindIs "float64" $v) (eq $v (float64 (int64 $v))) -}}{{- $_ := set $keys $k (int64 $v) -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toToml $cfg -}}
{{- end -}}

{{- define "olt.drainSeconds" -}}
{{- $ms := 30000 -}}
{{- if and .Values.config.gateway (hasKey .Values.config.gateway "drain_timeout_ms") -}}{{- $ms = .Values.config.gateway.drain_timeout_ms -}}{{- end -}}
{{- div (add (int $ms) 999) 1000 -}}
{{- end -}}

{{/* Pod-level settings shared by gateway and workers. */}}
{{- define "olt.podCommon" -}}
{{- include "olt.podSpecCommon" (dict "root" . "cfg" dict "supplementalGroups" list) -}}
{{- end -}}

{{/*
Pod-level settings with a component's own scheduling keys (runtimeClassName, priorityClassName,
topologySpreadConstraints) and extra supplemental groups (/dev/dri for AMD/Intel).
*/}}
{{- define "olt.podSpecCommon" -}}
{{- $root := .root -}}
automountServiceAccountToken: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- $sc := deepCopy $root.Values.podSecurityContext }}
{{- if .supplementalGroups }}
{{- $_ := set $sc "supplementalGroups" (concat (default list $sc.supplementalGroups) .supplementalGroups | uniq) }}
{{- end }}
securityContext:
  {{- toYaml $sc | nindent 2 }}
{{- with .cfg.runtimeClassName }}
runtimeClassName: {{ . }}
{{- end }}
{{- with .cfg.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .cfg.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The volume source of /models: an explicit volume, else the PVC (created or existing), else emptyDir. */}}
{{- define "olt.modelsVolume" -}}
{{- $m := .Values.models -}}
{{- if $m.volume -}}
{{- toYaml $m.volume -}}
{{- else if $m.persistence.enabled -}}
persistentVolumeClaim:
  claimName: {{ default (printf "%s-models" (include "olt.fullname" .)) $m.persistence.existingClaim }}
{{- else -}}
emptyDir: {}
{{- end -}}
{{- end -}}

{{- define "olt.tenantsToml" -}}
{{- $items := list -}}
{{- range $t := .Values.tenants.items -}}
{{- $items = append $items (printf "{ id = %s, api_key_sha256 = %s, plan = %s, max_streams = %d }" ($t.id | toJson) ($t.apiKeySha256 | lower | toJson) (default "free" $t.plan | toJson) (int (default 10 $t.maxStreams))) -}}
{{- end -}}
{{- printf "[%s]" (join ", " $items) -}}
{{- end -}}

{{/* NetworkPolicy egress every app pod needs: DNS and Redis. */}}
{{- define "olt.np.egressCommon" -}}
# DNS
- ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- if .builtinRedis }}
# Redis of this release
- to:
    - podSelector:
        matchExpressions:
          - { key: app.kubernetes.io/instance, operator: In, values: [{{ .root.Release.Name | quote }}] }
          - { key: app.kubernetes.io/component, operator: In, values: [redis-queue, redis-cache] }
  ports:
    - { protocol: TCP, port: 6379 }
{{- end }}
{{- if .externalRedis }}
# Your own Redis, Sentinels or Cluster nodes (anywhere: their addresses are only known at run time)
- ports:
    {{- range $p := splitList "," .externalPorts }}
    - { protocol: TCP, port: {{ $p }} }
    {{- end }}
{{- end }}
{{- end }}

{{/* The Secret holding the overlay link signing key (gateway.overlayKey). */}}
{{- define "olt.overlayKeySecretName" -}}
{{- default (printf "%s-overlay-key" (include "olt.fullname" .)) .Values.gateway.overlayKey.existingSecret -}}
{{- end }}

{{/* Who may scrape /metrics: networkPolicy.metricsFrom peers when given, else the namespace selector. */}}
{{- define "olt.np.metricsFrom" -}}
{{- if .Values.networkPolicy.metricsFrom -}}
{{- toYaml .Values.networkPolicy.metricsFrom -}}
{{- else -}}
- namespaceSelector:
    {{- toYaml .Values.networkPolicy.metricsNamespaceSelector | nindent 4 }}
{{- end -}}
{{- end }}

{{/* The Secret holding the sha256 of the cache admin token (cacheService.adminToken). */}}
{{- define "olt.cacheAdminSecretName" -}}
{{- default (printf "%s-cache-admin" (include "olt.fullname" .)) .Values.cacheService.adminToken.existingSecret -}}
{{- end }}

{{/*
Redis endpoints. The queue Redis: a URL, or an external Sentinel group (redis.queue.sentinel: endpoints +
masterName, turned into redis+sentinel://), or the built-in StatefulSet. The cache Redis: a URL, or an
external Redis Cluster (redis.cache.cluster.nodes, turned into redis+cluster://), or the built-in one.
tls.enabled picks the rediss scheme. Passwords never go into a URL here: they come from Secrets as
OLT__REDIS__<ROLE>_PASSWORD (and _SENTINEL_PASSWORD), which the apps read beside the URL.
*/}}
{{- define "olt.redisQueueExternal" -}}
{{- $q := .Values.redis.queue -}}
{{- if or .Values.redis.existingSecret $q.url $q.sentinel.endpoints -}}true{{- end -}}
{{- end -}}

{{- define "olt.redisCacheExternal" -}}
{{- $c := .Values.redis.cache -}}
{{- if or .Values.redis.existingSecret $c.url $c.cluster.nodes -}}true{{- end -}}
{{- end -}}

{{- define "olt.redisQueueUrl" -}}
{{- $q := .Values.redis.queue -}}
{{- $s := ternary "rediss" "redis" $q.tls.enabled -}}
{{- if $q.sentinel.endpoints -}}
{{- printf "%s+sentinel://%s/%s" $s (join "," $q.sentinel.endpoints) $q.sentinel.masterName -}}
{{- else -}}
{{- default (printf "%s://%s-redis-queue:6379" $s (include "olt.fullname" .)) $q.url -}}
{{- end -}}
{{- end -}}

{{- define "olt.redisCacheUrl" -}}
{{- $c := .Values.redis.cache -}}
{{- $s := ternary "rediss" "redis" $c.tls.enabled -}}
{{- if $c.cluster.nodes -}}
{{- printf "%s+cluster://%s" $s (join "," $c.cluster.nodes) -}}
{{- else -}}
{{- default (printf "%s://%s-redis-cache:6379" $s (include "olt.fullname" .)) $c.url -}}
{{- end -}}
{{- end -}}

{{/* Env entries for Redis secrets and CA files, for every app container (dict "root" .). */}}
{{- define "olt.redisEnv" -}}
{{- $r := .root.Values.redis -}}
{{- range $role := list "queue" "cache" }}
{{- $v := get $r $role }}
{{- $ROLE := upper $role }}
{{- if $v.auth.existingSecret }}
- name: OLT__REDIS__{{ $ROLE }}_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ $v.auth.existingSecret }}, key: {{ $v.auth.passwordKey }} } }
{{- end }}
{{- if and (eq $role "queue") $v.sentinel.auth.existingSecret }}
- name: OLT__REDIS__QUEUE_SENTINEL_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ $v.sentinel.auth.existingSecret }}, key: {{ $v.sentinel.auth.passwordKey }} } }
{{- end }}
{{- if $v.tls.caSecret }}
- { name: OLT__REDIS__{{ $ROLE }}_TLS_CA_FILE, value: /etc/olt/redis-ca/{{ $role }}/{{ $v.tls.caKey }} }
{{- end }}
{{- end }}
{{- end -}}

{{- define "olt.redisCaMounts" -}}
{{- range $role := list "queue" "cache" }}
{{- if (get $.root.Values.redis $role).tls.caSecret }}
- { name: redis-ca-{{ $role }}, mountPath: /etc/olt/redis-ca/{{ $role }}, readOnly: true }
{{- end }}
{{- end }}
{{- end -}}

{{- define "olt.redisCaVolumes" -}}
{{- range $role := list "queue" "cache" }}
{{- with (get $.root.Values.redis $role).tls.caSecret }}
- name: redis-ca-{{ $role }}
  secret: { secretName: {{ . }} }
{{- end }}
{{- end }}
{{- end -}}

{{/* TCP ports of external Redis endpoints, for NetworkPolicy egress (defaults: 6379, 6380, 26379). */}}
{{- define "olt.redisExternalPorts" -}}
{{- $ports := list 6379 6380 26379 -}}
{{- range $e := concat .Values.redis.queue.sentinel.endpoints .Values.redis.cache.cluster.nodes -}}
{{- $p := int (last (splitList ":" $e)) -}}
{{- if gt $p 0 -}}{{- $ports = append $ports $p -}}{{- end -}}
{{- end -}}
{{- join "," ($ports | uniq) -}}
{{- end -}}
