package main

// The template engine: Go's text/template with the sprig functions, set up the way Helm 3
// sets it up (function set, include/tpl/required/fail/lookup, toYaml and friends on
// sigs.k8s.io/yaml, "missingkey=zero" with "<no value>" blanked, partials named "_*").

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

const recursionLimit = 1000

type renderer struct {
	t        *template.Template
	includes map[string]int
}

func toYAML(v interface{}) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func (r *renderer) funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these: a chart must not read the renderer's environment
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["fromYamlArray"] = fromYAMLArray
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["include"] = r.include
	f["tpl"] = r.tpl
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, fmt.Errorf(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, fmt.Errorf(msg)
		}
		return v, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", fmt.Errorf(msg) }
	// no cluster here: lookup finds nothing, as in `helm template`
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return f
}

func (r *renderer) include(name string, data interface{}) (string, error) {
	r.includes[name]++
	defer func() { r.includes[name]-- }()
	if r.includes[name] > recursionLimit {
		return "", fmt.Errorf("include %q: recursion deeper than %d", name, recursionLimit)
	}
	var buf bytes.Buffer
	if err := r.t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func (r *renderer) tpl(text string, data interface{}) (string, error) {
	clone, err := r.t.Clone()
	if err != nil {
		return "", err
	}
	t, err := clone.New("tpl").Parse(text)
	if err != nil {
		return "", fmt.Errorf("tpl: %v", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("tpl: %v", err)
	}
	return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
}

// renderAll parses every template of the chart into one set and renders each file that is
// not a partial. files maps "CHART/templates/x.yaml" to its text; top holds .Values,
// .Release, .Chart, .Capabilities. The result maps file names to rendered text.
func renderAll(files map[string]string, top map[string]interface{}, strict bool) (map[string]string, error) {
	r := &renderer{includes: map[string]int{}}
	r.t = template.New("gotpl")
	if strict {
		r.t.Option("missingkey=error")
	} else {
		r.t.Option("missingkey=zero")
	}
	r.t.Funcs(r.funcMap())
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := r.t.New(n).Parse(files[n]); err != nil {
			return nil, fmt.Errorf("parse error in %s", strings.TrimPrefix(err.Error(), "template: "))
		}
	}
	out := map[string]string{}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": n, "BasePath": path.Dir(n)}
		var buf bytes.Buffer
		if err := r.t.ExecuteTemplate(&buf, n, data); err != nil {
			return nil, fmt.Errorf("execution error in %s", strings.TrimPrefix(err.Error(), "template: "))
		}
		out[n] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}
