{{/* The NATS server configuration (nats.yaml), a named template so its checksum can roll the pods. */}}
{{- define "switchboard.natsConf" -}}
{{- $fullname := include "switchboard.fullname" . -}}
{{- $name := printf "%s-nats" $fullname -}}
{{- $prefix := .Values.prefix -}}
{{- $replicas := int .Values.nats.replicas -}}
server_name: $SERVER_NAME
pid_file: /var/run/nats/nats.pid
listen: 0.0.0.0:4222
http: 0.0.0.0:8222
lame_duck_duration: 30s
lame_duck_grace_period: 10s

jetstream {
  store_dir: /data
  max_memory_store: {{ .Values.nats.jetstream.maxMemoryStore }}
  max_file_store: {{ .Values.nats.jetstream.maxFileStore }}
}
{{- if gt $replicas 1 }}

cluster {
  name: {{ .Values.nats.clusterName }}
  listen: 0.0.0.0:6222
  routes: [
    {{- range $i, $_ := until $replicas }}
    nats://{{ $name }}-{{ $i }}.{{ $name }}-headless.{{ $.Release.Namespace }}.svc.{{ $.Values.clusterDomain }}:6222
    {{- end }}
  ]
}
{{- end }}

# One user per service, each limited to its own subjects under the prefix "{{ $prefix }}", and
# `provisioner` for the migrate job: the lists come from libs/contracts (files/nats-users.json,
# written by `npm run nats-users`), the same as deploy/nats/nats-server.conf.
{{- $streamPrefix := $prefix | upper | replace "-" "_" }}
accounts {
  SB {
    jetstream: enabled
    users: [
      {{- range $user, $p := include "switchboard.natsUsers" . | fromJson }}
      {{- $pub := list }}
      {{- range $p.publish }}{{ $pub = append $pub (. | replace "{prefix}" $prefix | replace "{STREAM_PREFIX}" $streamPrefix | quote) }}{{ end }}
      {{- $sub := list }}
      {{- range $p.subscribe }}{{ $sub = append $sub (. | replace "{prefix}" $prefix | replace "{STREAM_PREFIX}" $streamPrefix | quote) }}{{ end }}
      {
        user: {{ $user | quote }}
        password: $NATS_PASSWORD_{{ include "switchboard.envName" $user }}
        permissions: {
          publish: { allow: [{{ join ", " $pub }}] }
          subscribe: { allow: [{{ join ", " $sub }}] }
          {{- if $p.allowResponses }}
          allow_responses: true
          {{- end }}
        }
      }
      {{- end }}
      {{- range $user, $cfg := .Values.nats.externalUsers }}
      {
        user: {{ $user | quote }}
        password: $NATS_PASSWORD_{{ include "switchboard.envName" $user }}
        permissions: {
          publish: {
            allow: [
              {{- range $cfg.publish }}
              {{ printf "%s.%s" $prefix . | quote }},
              {{- end }}
              "$JS.API.STREAM.INFO.>"
            ]
          }
          subscribe: {
            allow: [
              {{- range $cfg.subscribe }}
              {{ printf "%s.%s" $prefix . | quote }},
              {{- end }}
              {{ printf "_INBOX_%s.>" $user | quote }}
            ]
          }
        }
      }
      {{- end }}
    ]
  }
  SYS {
    users: [ { user: "sys", password: $NATS_PASSWORD_SYS } ]
  }
}
system_account: SYS
{{- end -}}


{{/* The chart's NATS users (the services and `provisioner`) with their subjects, as JSON. */}}
{{- define "switchboard.natsUsers" -}}
{{- .Files.Get "files/nats-users.json" -}}
{{- end -}}
