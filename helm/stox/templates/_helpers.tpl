{{/* Name helpers (standard Helm layout). */}}
{{- define "stox.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "stox.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "stox.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stox.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "stox.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "stox.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Name of the Secret holding the secret files: the user's existingSecret or the chart's own. */}}
{{- define "stox.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "stox.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Fail early when no secret source is configured: the component handshake cannot work without one. */}}
{{- define "stox.requireSecrets" -}}
{{- if and (not .Values.secrets.existingSecret) (not .Values.secrets.files) -}}
{{- fail "secrets: set secrets.existingSecret (a Secret with the files your config's *File keys point to) or secrets.files" -}}
{{- end -}}
{{- end -}}

{{/* Ports come from the config itself (single source): http.port and sip.listen[]. */}}
{{- define "stox.metricsPort" -}}
{{- dig "http" "port" 9090 .Values.config | int -}}
{{- end -}}

{{/* One container/Service port per SIP listener; tls/ws/wss run over TCP. */}}
{{- define "stox.sipPorts" -}}
{{- $default := list (dict "transport" "udp" "port" 5060) (dict "transport" "tcp" "port" 5060) -}}
{{- $ports := list -}}
{{- range (dig "sip" "listen" $default .Values.config) -}}
{{- $proto := ternary "UDP" "TCP" (eq .transport "udp") -}}
{{- $ports = append $ports (dict "name" (printf "sip-%s-%d" .transport (int .port)) "port" (int .port) "protocol" $proto) -}}
{{- end -}}
{{- toJson $ports -}}
{{- end -}}
