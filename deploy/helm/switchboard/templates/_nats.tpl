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

# One user per service, each limited to its own subjects under the prefix "{{ $prefix }}".
accounts {
  SB {
    jetstream: enabled
    users: [
      {{- range $svc, $cfg := .Values.services }}
      {
        user: {{ $svc | quote }}
        password: $NATS_PASSWORD_{{ include "switchboard.envName" $svc }}
        permissions: {
          publish: {
            allow: [
              {{- range $cfg.nats.publish }}
              {{ printf "%s.%s" $prefix . | quote }},
              {{- end }}
              {{ printf "%s.dlq.%s.v1" $prefix $svc | quote }},
              "$JS.API.>",
              "$JS.ACK.>",
              "$KV.>"
            ]
          }
          subscribe: {
            allow: [
              {{- range $cfg.nats.subscribe }}
              {{ printf "%s.%s" $prefix . | quote }},
              {{- end }}
              "_INBOX.>"
            ]
          }
          allow_responses: true
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
              "_INBOX.>"
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
