{{- define "homeward.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{ else }}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{ end }}
{{- end }}

{{- define "homeward.labels" -}}
app.kubernetes.io/name: homeward
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "homeward.selector" -}}
app.kubernetes.io/name: homeward
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "homeward.image" -}}
{{- if .Values.image.digest }}{{ .Values.image.repository }}@{{ .Values.image.digest }}{{ else }}{{ .Values.image.repository }}:{{ .Values.image.tag }}{{ end }}
{{- end }}

{{/* The image's entry point per role (runtime/node-runtime.cjs; test/helm-chart.test.ts checks they agree). */}}
{{- define "homeward.command" -}}
{{- $commands := dict
  "api" (list "node" "dist/api/main.js")
  "worker" (list "node" "--max-semi-space-size=8" "dist/worker/main.js")
  "projector" (list "node" "dist/projections/main.js")
  "bridges" (list "node" "dist/bridges/main.js")
  "migrate" (list "node" "dist/cli/run.js" "migrate") -}}
{{- toJson (get $commands .) -}}
{{- end }}

{{- define "homeward.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "homeward.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end }}

{{- define "homeward.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.secrets.existingSecret }}
      key: {{ .key }}
{{- end }}

{{/* What every role needs: Temporal, Kafka, the keys. */}}
{{- define "homeward.commonEnv" -}}
- name: HOMEWARD_ENV
  value: {{ .Values.environment | quote }}
- name: HOMEWARD_REGION
  value: {{ .Values.region | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: LOG_FORMAT
  value: json
- name: HOMEWARD_HEALTH_PORT
  value: {{ .Values.service.healthPort | quote }}
- name: HTTP_HOST
  value: "0.0.0.0"
- name: TEMPORAL_ADDRESS
  value: {{ .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
- name: TEMPORAL_TLS
  value: {{ .Values.temporal.tls.enabled | quote }}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.secretName }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: /etc/homeward/temporal-tls/tls.crt
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: /etc/homeward/temporal-tls/tls.key
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: /etc/homeward/temporal-tls/ca.crt
{{- end }}
{{- if .Values.temporal.tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ .Values.temporal.tls.serverName | quote }}
{{- end }}
{{- if .Values.temporal.apiKey.secretKey }}
{{ include "homeward.secretEnv" (dict "root" . "name" "TEMPORAL_API_KEY" "key" .Values.temporal.apiKey.secretKey) }}
{{- end }}
- name: KAFKA_BROKERS
  value: {{ .Values.kafka.brokers | quote }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.saslMechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ .Values.kafka.username | quote }}
{{ include "homeward.secretEnv" (dict "root" . "name" "KAFKA_SASL_PASSWORD" "key" "kafka-password") }}
- name: KAFKA_SSL
  value: {{ .Values.kafka.ssl | quote }}
{{- if .Values.kafka.caSecretName }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/homeward/kafka-ca/ca.crt
{{- end }}
- name: HOMEWARD_KAFKA_REPLICATION_FACTOR
  value: {{ .Values.kafka.replicationFactor | quote }}
- name: HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS
  value: {{ .Values.kafka.minInsyncReplicas | quote }}
{{ include "homeward.secretEnv" (dict "root" . "name" "HOMEWARD_CODEC_KEYS" "key" "codec-keys") }}
{{ include "homeward.secretEnv" (dict "root" . "name" "HOMEWARD_COMMAND_KEYS" "key" "command-keys") }}
{{ include "homeward.secretEnv" (dict "root" . "name" "HOMEWARD_PATIENT_KEY_SECRET" "key" "patient-key-secret") }}
{{- end }}

{{- define "homeward.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.secretName }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.secretName }}
    defaultMode: 0440
{{- end }}
{{- if .Values.kafka.caSecretName }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.caSecretName }}
    items:
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- end }}

{{- define "homeward.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.secretName }}
- name: temporal-tls
  mountPath: /etc/homeward/temporal-tls
  readOnly: true
{{- end }}
{{- if .Values.kafka.caSecretName }}
- name: kafka-ca
  mountPath: /etc/homeward/kafka-ca
  readOnly: true
{{- end }}
{{- end }}
