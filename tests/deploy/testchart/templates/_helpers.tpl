{{- define "probe.label" -}}
{{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
