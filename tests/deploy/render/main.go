// vmafx-helm-render: renders a Helm chart offline, the way `helm template` does, for the
// deployment tests (there is no helm binary on these machines). Built from Debian's Go
// packages only (text/template, sprig, sigs.k8s.io/yaml, gojsonschema); see
// tests/deploy/build.sh.
//
//	vmafx-helm-render template NAME CHART [flags]
//	vmafx-helm-render upgrade --install NAME CHART [flags]   (the same, as an upgrade)
//
// flags: -n/--namespace NS, -f/--values FILE, --set K=V, --set-string K=V, --set-file K=PATH,
// --kube-version V (default 1.30.0), --api-versions GROUP/VERSION, --strict,
// -o yaml|json|values (values: the coalesced values as JSON, after the schema check).
//
// What it implements of Helm: Chart.yaml (name, version, appVersion, kubeVersion), values.yaml
// coalesced with -f files and --set* (Helm's order: files, --set, --set-string, --set-file),
// values.schema.json validation (JSON Schema draft 7, as Helm does), every template under
// templates/ with .Values, .Release, .Chart, .Capabilities, .Template, NOTES.txt, the Helm
// functions (include, tpl, required, fail, toYaml, fromYaml, toJson, fromJson, lookup) on top
// of sprig, and a YAML parse of every rendered document (what `helm install` does before it
// sends anything). Not implemented: subcharts, hooks, .Files, library charts.
package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver"
	"github.com/xeipuuv/gojsonschema"
	"sigs.k8s.io/yaml"
)

type options struct {
	name, chart, namespace, kubeVersion, output string
	upgrade, strict                             bool
	valueFiles, apiVersions                     []string
	sets                                        [3][]string // by setKind
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: vmafx-helm-render template|upgrade --install NAME CHART [-n NS] [-f FILE] [--set K=V] [--set-string K=V] [--set-file K=PATH] [--kube-version V] [--api-versions G/V] [-o yaml|json|values] [--strict]")
	os.Exit(2)
}

func parseArgs(args []string) options {
	o := options{namespace: "default", kubeVersion: "1.30.0", output: "yaml"}
	if len(args) == 0 {
		usage()
	}
	switch args[0] {
	case "template":
	case "upgrade", "install":
		o.upgrade = args[0] == "upgrade"
	default:
		usage()
	}
	var pos []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		val := func() string {
			if k := strings.IndexByte(a, '='); strings.HasPrefix(a, "--") && k > 0 {
				return a[k+1:]
			}
			if i+1 >= len(args) {
				fmt.Fprintf(os.Stderr, "Error: flag %s needs a value\n", a)
				os.Exit(2)
			}
			i++
			return args[i]
		}
		flag := a
		if k := strings.IndexByte(a, '='); strings.HasPrefix(a, "--") && k > 0 {
			flag = a[:k]
		}
		switch flag {
		case "--install":
		case "--strict":
			o.strict = true
		case "-n", "--namespace":
			o.namespace = val()
		case "-f", "--values":
			o.valueFiles = append(o.valueFiles, val())
		case "--set":
			o.sets[setTyped] = append(o.sets[setTyped], val())
		case "--set-string":
			o.sets[setString] = append(o.sets[setString], val())
		case "--set-file":
			o.sets[setFile] = append(o.sets[setFile], val())
		case "--kube-version":
			o.kubeVersion = val()
		case "--api-versions":
			o.apiVersions = append(o.apiVersions, val())
		case "-o", "--output":
			o.output = val()
		default:
			if strings.HasPrefix(a, "-") {
				fmt.Fprintf(os.Stderr, "Error: unknown flag %s\n", a)
				os.Exit(2)
			}
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 || (o.output != "yaml" && o.output != "json" && o.output != "values") {
		usage()
	}
	o.name, o.chart = pos[0], pos[1]
	return o
}

func readYAMLMap(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}

// chartObject is .Chart: Chart.yaml's fields with Helm's capitalised names.
func chartObject(meta map[string]interface{}) map[string]interface{} {
	c := map[string]interface{}{}
	for k, v := range meta {
		name := strings.ToUpper(k[:1]) + k[1:]
		if k == "apiVersion" {
			name = "APIVersion"
		}
		c[name] = v
	}
	return c
}

func values(o options) (map[string]interface{}, error) {
	vals, err := readYAMLMap(filepath.Join(o.chart, "values.yaml"))
	if err != nil {
		return nil, err
	}
	user := map[string]interface{}{}
	for _, f := range o.valueFiles {
		m, err := readYAMLMap(f)
		if err != nil {
			return nil, err
		}
		user = mergeMaps(user, m)
	}
	// like Helm, every --set writes into the same map, so later ones extend earlier lists
	for kind := setTyped; kind <= setFile; kind++ {
		for _, s := range o.sets[kind] {
			if err := applySet(user, s, kind); err != nil {
				return nil, err
			}
		}
	}
	return coalesce(vals, user), nil
}

// mergeMaps merges values files in order, keeping nulls: they delete chart defaults later.
func mergeMaps(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		sm, sok := v.(map[string]interface{})
		dm, dok := dst[k].(map[string]interface{})
		if sok && dok {
			dst[k] = mergeMaps(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

func validateSchema(chartDir, chartName string, vals map[string]interface{}) error {
	schemaPath := filepath.Join(chartDir, "values.schema.json")
	schema, err := os.ReadFile(schemaPath)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	doc, err := json.Marshal(vals)
	if err != nil {
		return err
	}
	res, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(doc))
	if err != nil {
		return fmt.Errorf("%s: %v", schemaPath, err)
	}
	if res.Valid() {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n", chartName)
	for _, e := range res.Errors() {
		fmt.Fprintf(&b, "- %s\n", e)
	}
	return fmt.Errorf("%s", strings.TrimSuffix(b.String(), "\n"))
}

func loadTemplates(chartDir, chartName string) (map[string]string, error) {
	files := map[string]string{}
	root := filepath.Join(chartDir, "templates")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[chartName+"/"+filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return files, err
}

type manifest struct {
	Source string                 `json:"source"`
	Text   string                 `json:"-"`
	Object map[string]interface{} `json:"object"`
}

// splitDocs cuts rendered text at "---" lines and parses each document as Kubernetes would.
func splitDocs(source, text string) ([]manifest, error) {
	var out []manifest
	var parts []string
	var cur []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimRight(line, " \t") == "---" {
			parts = append(parts, strings.Join(cur, "\n"))
			cur = nil
			continue
		}
		cur = append(cur, line)
	}
	parts = append(parts, strings.Join(cur, "\n"))
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		obj := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(p), &obj); err != nil {
			return nil, fmt.Errorf("YAML parse error in %s: %v\n%s", source, err, numbered(p))
		}
		if len(obj) == 0 {
			continue // only comments
		}
		for _, k := range []string{"apiVersion", "kind"} {
			if s, _ := obj[k].(string); s == "" {
				return nil, fmt.Errorf("%s: a document without %s:\n%s", source, k, numbered(p))
			}
		}
		out = append(out, manifest{Source: source, Text: strings.Trim(p, "\n"), Object: obj})
	}
	return out, nil
}

func numbered(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = fmt.Sprintf("%4d  %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}

func run(o options) error {
	meta, err := readYAMLMap(filepath.Join(o.chart, "Chart.yaml"))
	if err != nil {
		return err
	}
	chartName, _ := meta["name"].(string)
	if chartName == "" {
		return fmt.Errorf("Chart.yaml has no name")
	}
	kv, err := semver.NewVersion(o.kubeVersion)
	if err != nil {
		return fmt.Errorf("--kube-version: %v", err)
	}
	if c, _ := meta["kubeVersion"].(string); c != "" {
		cons, err := semver.NewConstraint(c)
		if err != nil {
			return fmt.Errorf("Chart.yaml kubeVersion: %v", err)
		}
		if !cons.Check(kv) {
			return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes v%s", c, kv)
		}
	}
	vals, err := values(o)
	if err != nil {
		return err
	}
	if err := validateSchema(o.chart, chartName, vals); err != nil {
		return err
	}
	if o.output == "values" { // the coalesced values, as the templates see them
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(vals)
	}
	files, err := loadTemplates(o.chart, chartName)
	if err != nil {
		return err
	}
	apis := map[string]bool{"v1": true, "apps/v1": true, "policy/v1": true, "batch/v1": true,
		"networking.k8s.io/v1": true, "autoscaling/v2": true, "rbac.authorization.k8s.io/v1": true}
	for _, a := range o.apiVersions {
		apis[a] = true
	}
	top := map[string]interface{}{
		"Values": vals,
		"Chart":  chartObject(meta),
		"Release": map[string]interface{}{
			"Name": o.name, "Namespace": o.namespace, "Service": "Helm", "Revision": 1,
			"IsInstall": !o.upgrade, "IsUpgrade": o.upgrade,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{
				"Version": "v" + kv.String(), "Major": fmt.Sprint(kv.Major()), "Minor": fmt.Sprint(kv.Minor()),
				"GitVersion": "v" + kv.String(),
			},
			"APIVersions": apiVersions(apis),
		},
	}
	rendered, err := renderAll(files, top, o.strict)
	if err != nil {
		return err
	}
	notesName := chartName + "/templates/NOTES.txt"
	notes := rendered[notesName]
	delete(rendered, notesName)
	names := make([]string, 0, len(rendered))
	for n := range rendered {
		names = append(names, n)
	}
	sort.Strings(names)
	var all []manifest
	for _, n := range names {
		docs, err := splitDocs(n, rendered[n])
		if err != nil {
			return err
		}
		all = append(all, docs...)
	}
	if o.output == "json" {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(map[string]interface{}{"manifests": all, "notes": notes})
	}
	for _, m := range all {
		fmt.Printf("---\n# Source: %s\n%s\n", m.Source, m.Text)
	}
	if strings.TrimSpace(notes) != "" {
		fmt.Fprintf(os.Stderr, "NOTES:\n%s\n", strings.TrimSpace(notes))
	}
	return nil
}

// apiVersions is .Capabilities.APIVersions with Helm's Has method.
type apiVersions map[string]bool

func (a apiVersions) Has(v string) bool { return a[v] }

func main() {
	if err := run(parseArgs(os.Args[1:])); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
}
