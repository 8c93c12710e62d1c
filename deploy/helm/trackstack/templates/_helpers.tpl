{{/* The release's full name: the release name alone when it already says trackstack. */}}
{{- define "trackstack.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "trackstack.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "trackstack.labels" -}}
{{ include "trackstack.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "trackstack.secretName" -}}
{{- .Values.secret.name | default (include "trackstack.fullname" .) -}}
{{- end -}}

{{/*
"true" when each client must stay on one replica: an upload's parts must reach the replica whose disk holds its
first bytes, unless every replica shares the data volume.
*/}}
{{- define "trackstack.sticky" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.dataVolume.existingClaim) -}}true{{- end -}}
{{- end -}}

{{/* Values that cannot work, refused at render time rather than at the pods' start. */}}
{{- define "trackstack.check" -}}
{{- if not .Values.artifacts.s3.enabled -}}
{{- if gt (int .Values.replicaCount) 1 -}}
{{- fail (printf "replicaCount=%d needs artifacts.s3.enabled=true: without S3 each replica keeps artifacts' blobs on its own disk, where the other replicas cannot read them" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if not .Values.dataVolume.existingClaim -}}
{{- fail "artifacts.s3.enabled=false keeps artifacts' blobs in the data directory: name a PersistentVolumeClaim in dataVolume.existingClaim, or they are lost with the pod" -}}
{{- end -}}
{{- end -}}
{{- if .Values.secret.create -}}
{{- if lt (len .Values.secret.adminToken) 32 -}}
{{- fail "secret.adminToken must have at least 32 characters, e.g. $(openssl rand -hex 32)" -}}
{{- end -}}
{{- if not .Values.secret.databasePassword -}}
{{- fail "secret.create=true needs secret.databasePassword" -}}
{{- end -}}
{{- end -}}
{{- end -}}
