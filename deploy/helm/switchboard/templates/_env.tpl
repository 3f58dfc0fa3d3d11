{{/*
The environment of one service's container: its Deployment's (natsUser = the service, migrateOnly
false) or its container in the migrate job (natsUser "provisioner", migrateOnly true), so that the
migrate step validates the same config the service will run with.
Call with (dict "ctx" $ "name" <service> "svc" <merged values> "natsUser" <user> "migrateOnly" <bool>).
*/}}
{{- define "switchboard.serviceEnv" -}}
{{- $ctx := .ctx -}}
{{- $name := .name -}}
{{- $svc := .svc -}}
- { name: SB_PREFIX, value: {{ $ctx.Values.prefix | quote }} }
- { name: SB_STREAM_REPLICAS, value: {{ min (int $ctx.Values.nats.streamReplicas) (int $ctx.Values.nats.replicas) | quote }} }
- { name: HEALTH_PORT, value: {{ $svc.healthPort | quote }} }
- { name: LOG_LEVEL, value: {{ $ctx.Values.logLevel | quote }} }
{{- if .migrateOnly }}
- { name: MIGRATE_ONLY, value: "true" }
{{- else }}
# The migrate job (migrate-job.yaml) applies migrations and makes streams and consumers, as
# `provisioner`: a service's own NATS user may not.
- { name: MIGRATE_ON_BOOT, value: "false" }
{{- end }}
{{- with $ctx.Values.otelExporterOtlpEndpoint }}
- { name: OTEL_EXPORTER_OTLP_ENDPOINT, value: {{ . | quote }} }
{{- end }}
- { name: NATS_USER, value: {{ .natsUser | quote }} }
- name: NATS_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ include "switchboard.fullname" $ctx }}-nats-users, key: {{ .natsUser }} } }
- name: NATS_URL
  value: "nats://$(NATS_USER):$(NATS_PASSWORD)@{{ include "switchboard.natsHost" $ctx }}:4222"
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "switchboard.dbSecretName" $ctx }}, key: DATABASE_URL } }
{{- if $svc.httpPort }}
- { name: PORT, value: {{ $svc.httpPort | quote }} }
{{- end }}
{{- if $svc.tracking }}
- name: SB_TRACKING_SECRET
  valueFrom: { secretKeyRef: { name: {{ include "switchboard.appSecretName" $ctx }}, key: SB_TRACKING_SECRET } }
- name: SB_PUBLIC_URL
  value: {{ ($svc.env).SB_PUBLIC_URL | default (printf "https://%s" $ctx.Values.gateway.ingress.host) | quote }}
{{- end }}
{{- if $svc.vapid }}
- name: VAPID_PUBLIC_KEY
  valueFrom: { secretKeyRef: { name: {{ include "switchboard.appSecretName" $ctx }}, key: VAPID_PUBLIC_KEY, optional: true } }
- name: VAPID_PRIVATE_KEY
  valueFrom: { secretKeyRef: { name: {{ include "switchboard.appSecretName" $ctx }}, key: VAPID_PRIVATE_KEY, optional: true } }
- { name: VAPID_SUBJECT, value: {{ $ctx.Values.secrets.vapidSubject | quote }} }
{{- end }}
{{- if eq $name "gateway" }}
- name: SB_ADMIN_USER
  valueFrom: { secretKeyRef: { name: {{ include "switchboard.appSecretName" $ctx }}, key: SB_ADMIN_USER, optional: true } }
- name: SB_ADMIN_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ include "switchboard.appSecretName" $ctx }}, key: SB_ADMIN_PASSWORD, optional: true } }
{{- end }}
{{- range $k, $v := $svc.env }}
{{- if ne $k "SB_PUBLIC_URL" }}
- { name: {{ $k }}, value: {{ $v | toString | quote }} }
{{- end }}
{{- end }}
{{- end -}}
