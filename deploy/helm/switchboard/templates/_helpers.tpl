{{/* Names and labels. */}}
{{- define "switchboard.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "switchboard.labels" -}}
app.kubernetes.io/part-of: switchboard
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* An environment-variable-safe form of a name: campaign-actions -> CAMPAIGN_ACTIONS. */}}
{{- define "switchboard.envName" -}}
{{- . | upper | replace "-" "_" -}}
{{- end -}}

{{- define "switchboard.natsHost" -}}
{{- printf "%s-nats.%s.svc.%s" (include "switchboard.fullname" .) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}

{{- define "switchboard.appSecretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-app" (include "switchboard.fullname" .)) -}}
{{- end -}}

{{- define "switchboard.dbSecretName" -}}
{{- if .Values.postgresql.enabled -}}
{{- printf "%s-postgresql" (include "switchboard.fullname" .) -}}
{{- else -}}
{{- .Values.postgresql.externalSecret | default (printf "%s-database" (include "switchboard.fullname" .)) -}}
{{- end -}}
{{- end -}}

{{/*
A password kept across upgrades: the value already in the named Secret, else a new random one.
Call with (dict "ctx" $ "secret" "<name>" "key" "<key>").
*/}}
{{- define "switchboard.keepOrGenerate" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .secret -}}
{{- $old := "" -}}
{{- if and $existing $existing.data -}}
{{- $old = get $existing.data .key -}}
{{- end -}}
{{- if $old -}}
{{- $old -}}
{{- else -}}
{{- randAlphaNum 32 | b64enc -}}
{{- end -}}
{{- end -}}
