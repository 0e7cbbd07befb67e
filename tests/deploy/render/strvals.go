package main

// Helm's --set / --set-string / --set-file syntax (the part of Helm's strvals package the
// tests and docs use), written from its documented behaviour:
//
//	a.b=c            nested keys; "\." keeps a dot inside a key
//	a=x,b=y          several assignments, "\," keeps a comma inside a value
//	list={x,y}       a list
//	list[1].name=z   list elements by index (the list grows with nulls)
//	a=null           removes the key from the chart defaults
//
// --set types its values (true/false, null, integers without a leading zero); --set-string
// and --set-file keep strings; --set-file reads the value from a file.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

type setKind int

const (
	setTyped setKind = iota
	setString
	setFile
)

// splitUnescaped splits s at sep, honouring backslash escapes and (for values) braces.
func splitUnescaped(s string, sep byte, braces bool) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
			continue
		case braces && c == '{':
			depth++
		case braces && c == '}' && depth > 0:
			depth--
		case c == sep && depth == 0:
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(out, cur.String())
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// keyStep is one element of a key path: a map key, or a list index.
type keyStep struct {
	key   string
	index int // -1 for a map key
}

func parseKey(k string) ([]keyStep, error) {
	var steps []keyStep
	for _, part := range splitUnescaped(k, '.', false) {
		name := part
		var idx []int
		for strings.HasSuffix(name, "]") {
			open := strings.LastIndex(name, "[")
			if open < 0 {
				return nil, fmt.Errorf("key %q: unmatched ]", k)
			}
			n, err := strconv.Atoi(name[open+1 : len(name)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("key %q: bad list index %q", k, name[open+1:len(name)-1])
			}
			if n > 65536 {
				return nil, fmt.Errorf("key %q: list index %d too large", k, n)
			}
			idx = append([]int{n}, idx...)
			name = name[:open]
		}
		if name == "" {
			return nil, fmt.Errorf("key %q: empty key element", k)
		}
		steps = append(steps, keyStep{key: unescape(name), index: -1})
		for _, n := range idx {
			steps = append(steps, keyStep{index: n})
		}
	}
	return steps, nil
}

func typedValue(s string) interface{} {
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if len(s) > 1 && s[0] == '0' {
		return s // keeps zip codes and octal-looking strings as typed
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

func parseValue(raw string, kind setKind) (interface{}, error) {
	switch kind {
	case setFile:
		b, err := os.ReadFile(raw)
		if err != nil {
			return nil, fmt.Errorf("--set-file: %v", err)
		}
		return string(b), nil
	case setString:
		if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
			break
		}
		return unescape(raw), nil
	}
	if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
		inner := raw[1 : len(raw)-1]
		list := []interface{}{}
		if inner == "" {
			return list, nil
		}
		for _, el := range splitUnescaped(inner, ',', false) {
			if kind == setString {
				list = append(list, unescape(el))
			} else {
				list = append(list, typedValue(unescape(el)))
			}
		}
		return list, nil
	}
	return typedValue(unescape(raw)), nil
}

// applySet merges one --set argument (possibly several comma-separated assignments) into vals.
func applySet(vals map[string]interface{}, arg string, kind setKind) error {
	assignments := []string{arg}
	if kind != setFile {
		assignments = splitUnescaped(arg, ',', true)
	}
	for _, a := range assignments {
		eq := -1
		for i := 0; i < len(a); i++ {
			if a[i] == '\\' {
				i++
				continue
			}
			if a[i] == '=' {
				eq = i
				break
			}
		}
		if eq <= 0 {
			return fmt.Errorf("--set %q: expected key=value", a)
		}
		steps, err := parseKey(a[:eq])
		if err != nil {
			return err
		}
		v, err := parseValue(a[eq+1:], kind)
		if err != nil {
			return err
		}
		if err := assign(vals, steps, v); err != nil {
			return fmt.Errorf("--set %q: %v", a, err)
		}
	}
	return nil
}

func assign(m map[string]interface{}, steps []keyStep, v interface{}) error {
	st := steps[0]
	if len(steps) == 1 {
		m[st.key] = v
		return nil
	}
	next := steps[1]
	if next.index >= 0 {
		list, _ := m[st.key].([]interface{})
		list, err := assignList(list, steps[1:], v)
		if err != nil {
			return err
		}
		m[st.key] = list
		return nil
	}
	child, ok := m[st.key].(map[string]interface{})
	if !ok {
		child = map[string]interface{}{}
		m[st.key] = child
	}
	return assign(child, steps[1:], v)
}

func assignList(list []interface{}, steps []keyStep, v interface{}) ([]interface{}, error) {
	i := steps[0].index
	for len(list) <= i {
		list = append(list, nil)
	}
	if len(steps) == 1 {
		list[i] = v
		return list, nil
	}
	if steps[1].index >= 0 {
		inner, _ := list[i].([]interface{})
		inner, err := assignList(inner, steps[1:], v)
		list[i] = inner
		return list, err
	}
	child, ok := list[i].(map[string]interface{})
	if !ok {
		child = map[string]interface{}{}
		list[i] = child
	}
	return list, assign(child, steps[1:], v)
}

// coalesce merges user values over chart defaults the way Helm does: maps merge key by
// key, anything else replaces, and a null removes the default.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range dst {
		out[k] = v
	}
	for k, v := range src {
		if v == nil {
			delete(out, k)
			continue
		}
		sm, sok := v.(map[string]interface{})
		dm, dok := out[k].(map[string]interface{})
		if sok && dok {
			out[k] = coalesce(dm, sm)
		} else {
			out[k] = v
		}
	}
	return out
}
