{{/* Names, labels and the settings several templates share. */}}

{{- define "vmafx.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-vmafx, or just <release> when the release name already says vmafx */}}
{{- define "vmafx.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "vmafx.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "vmafx.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vmafx
{{- end -}}

{{/* selector labels of one component: (dict "ctx" $ "component" "node") */}}
{{- define "vmafx.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vmafx.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "vmafx.componentLabels" -}}
{{ include "vmafx.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "vmafx.image" -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{- define "vmafx.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "vmafx.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "vmafx.controllerName" -}}
{{- printf "%s-controller" (include "vmafx.fullname" .) -}}
{{- end -}}

{{- define "vmafx.nodeName" -}}
{{- printf "%s-node" (include "vmafx.fullname" .) -}}
{{- end -}}

{{/* The Secret with the rclone.conf: named after the release, as the seed's docs name it. */}}
{{- define "vmafx.rcloneSecretName" -}}
{{- if .Values.storage.rclone.existingSecret -}}
{{- .Values.storage.rclone.existingSecret -}}
{{- else if .Values.storage.rclone.config -}}
{{- printf "%s-rclone-config" .Release.Name -}}
{{- end -}}
{{- end -}}

{{- define "vmafx.authSecretName" -}}
{{- default (printf "%s-auth" (include "vmafx.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "vmafx.controllerAddr" -}}
{{- if .Values.node.controllerAddr -}}
{{- .Values.node.controllerAddr -}}
{{- else -}}
{{- printf "%s://%s:%v" (ternary "https" "http" .Values.controller.tls.enabled) (include "vmafx.controllerName" .) .Values.controller.service.port -}}
{{- end -}}
{{- end -}}

{{/* The Secret and key of the CA that clients of the controller verify its certificate with. */}}
{{- define "vmafx.caSecretName" -}}
{{- default .Values.controller.tls.secretName .Values.controller.tls.caSecretName -}}
{{- end -}}

{{/* The port Prometheus scrapes /metrics on: the plain-HTTP probe port when the API is HTTPS. */}}
{{- define "vmafx.metricsPortName" -}}
{{- ternary "probe" "http" .Values.controller.tls.enabled -}}
{{- end -}}

{{/* "true" when node pods get FUSE: asked for, or implied by mount mode */}}
{{- define "vmafx.fuseEnabled" -}}
{{- if or .Values.node.fuse.enabled (eq .Values.storage.mode "mount") -}}true{{- end -}}
{{- end -}}

{{/* the mount root needs its own emptyDir unless it lies in /tmp (already one) */}}
{{- define "vmafx.mountRootVolume" -}}
{{- $root := .Values.storage.mountRoot -}}
{{- if and $root (ne $root "/tmp") (not (hasPrefix "/tmp/" $root)) -}}true{{- end -}}
{{- end -}}

{{/* Settings both programs take from the storage layer's table. */}}
{{- define "vmafx.storageSharedEnv" -}}
{{- if .Values.storage.remotes }}
- name: VMAFX_STORAGE_REMOTES
  value: {{ $pairs := list }}{{ range $k, $v := .Values.storage.remotes }}{{ $pairs = append $pairs (printf "%s=%s" $k $v) }}{{ end }}{{ join "," $pairs | quote }}
{{- end }}
{{- if .Values.storage.allow }}
- name: VMAFX_STORAGE_ALLOW
  value: {{ join "," .Values.storage.allow | quote }}
{{- end }}
{{- end -}}

{{/* Pod-level security: non-root 65532 (the images' user), seccomp RuntimeDefault. */}}
{{- define "vmafx.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container security: restricted, unless FUSE is on (docs/deploy.md, "FUSE"). */}}
{{- define "vmafx.restrictedContainerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "vmafx.fuseContainerSecurityContext" -}}
runAsNonRoot: true
# vmafx-node itself runs without capabilities; the setuid fusermount3 it starts needs
# privilege escalation and SYS_ADMIN to mount (the node makes its mount points traversable,
# 0711, so no DAC capability is needed)
allowPrivilegeEscalation: true
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
  add: [SYS_ADMIN]
{{- with .Values.node.fuse.appArmorProfile }}
appArmorProfile:
  type: {{ . }}
{{- end }}
{{- end -}}

{{/* Cross-field rules the schema cannot say clearly. */}}
{{- define "vmafx.validate" -}}
{{- if and .Values.storage.rclone.config .Values.storage.rclone.existingSecret -}}
{{- fail "storage.rclone: set config or existingSecret, not both" -}}
{{- end -}}
{{- if and (eq .Values.controller.store.type "sqlite") (gt (int .Values.controller.replicaCount) 1) -}}
{{- fail "controller.replicaCount > 1 needs controller.store.type=postgres (SQLite has one writer)" -}}
{{- end -}}
{{- if and (eq .Values.controller.store.type "postgres") (not (or .Values.controller.store.postgres.dsn .Values.controller.store.postgres.existingSecret)) -}}
{{- fail "controller.store.type=postgres needs controller.store.postgres.dsn or .existingSecret" -}}
{{- end -}}
{{- if le (int .Values.node.terminationGracePeriodSeconds) (int .Values.node.drainMargin) -}}
{{- fail "node.terminationGracePeriodSeconds must be larger than node.drainMargin" -}}
{{- end -}}
{{- if and .Values.controller.tls.enabled (not .Values.controller.tls.secretName) -}}
{{- fail "controller.tls.enabled needs controller.tls.secretName (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- if and .Values.controller.tls.enabled (eq (int .Values.controller.tls.probePort) (int .Values.controller.port)) -}}
{{- fail "controller.tls.probePort must differ from controller.port" -}}
{{- end -}}
{{- $hooks := .Values.controller.webhooks -}}
{{- if and $hooks.enabled (not (or $hooks.secret $hooks.existingSecret)) -}}
{{- fail "controller.webhooks.enabled needs controller.webhooks.secret or .existingSecret (the signing key)" -}}
{{- end -}}
{{- if and $hooks.secret $hooks.existingSecret -}}
{{- fail "controller.webhooks: set secret or existingSecret, not both" -}}
{{- end -}}
{{- if and (not $hooks.enabled) (or $hooks.defaultUrl $hooks.allow $hooks.publicUrl) -}}
{{- fail "controller.webhooks: defaultUrl, allow and publicUrl need controller.webhooks.enabled" -}}
{{- end -}}
{{- if and .Values.node.autoscaling.keda.enabled (lt (int .Values.node.autoscaling.keda.maxReplicaCount) (int .Values.node.autoscaling.keda.minReplicaCount)) -}}
{{- fail "node.autoscaling.keda.maxReplicaCount must not be below minReplicaCount" -}}
{{- end -}}
{{- end -}}
