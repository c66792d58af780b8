// Runs an Argo CD health.lua the way argo-cd util/lua does (runLua + ExecuteHealthLua, with the
// object decoded by a copy of its decodeValue) on JSON test cases, and prints {status, message};
// a script error is reported as gitops-engine's GetResourceHealth does: Unknown with the error text.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	luajson "layeh.com/gopher-json"
)

type hs struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

func decodeValue(l *lua.LState, value any) lua.LValue {
	switch c := value.(type) {
	case bool:
		return lua.LBool(c)
	case float64:
		return lua.LNumber(c)
	case string:
		return lua.LString(c)
	case json.Number:
		return lua.LString(c)
	case int:
		return lua.LNumber(c)
	case int32:
		return lua.LNumber(c)
	case int64:
		return lua.LNumber(c)
	case []any:
		arr := l.CreateTable(len(c), 0)
		for _, item := range c {
			arr.Append(decodeValue(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(c))
		for k, item := range c {
			tbl.RawSetH(lua.LString(k), decodeValue(l, item))
		}
		return tbl
	}
	return lua.LNil
}

func valid(s string) bool {
	switch s {
	case "Unknown", "Progressing", "Suspended", "Healthy", "Degraded", "Missing":
		return true
	}
	return false
}

func run(script string, obj map[string]any) (any, error) {
	l := lua.NewState()
	defer l.Close()
	l.SetGlobal("obj", decodeValue(l, obj))
	fn, err := l.LoadString(script)
	if err != nil {
		return nil, err
	}
	l.Push(fn)
	if err := l.PCall(0, lua.MultRet, nil); err != nil {
		if apiErr, ok := err.(*lua.ApiError); ok && apiErr.Type == lua.ApiErrorRun {
			apiErr.StackTrace = ""
			return nil, apiErr
		}
		return nil, err
	}
	rv := l.Get(-1)
	if rv.Type() == lua.LTTable {
		b, err := luajson.Encode(rv)
		if err != nil {
			return nil, err
		}
		var h hs
		if err := json.Unmarshal(b, &h); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return hs{}, nil
			}
			return nil, err
		}
		if !valid(h.Status) {
			return hs{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
		}
		return h, nil
	} else if rv.Type() == lua.LTNil {
		return hs{}, nil
	}
	return nil, fmt.Errorf("expect table output from Lua script, not %s", rv.Type().String())
}

type testCase struct {
	Name   string          `json:"name"`
	Object json.RawMessage `json:"object"`
}

type result struct {
	Name   string          `json:"name"`
	Object json.RawMessage `json:"object"`
	Health *hs             `json:"health"`
}

// Usage: luaoracle script.lua cases.json → JSON list of {name, object, health}; a script error is
// reported as Argo CD's GetResourceHealth does: Unknown with the error text.
func main() {
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	b, err := os.ReadFile(os.Args[2])
	if err != nil {
		panic(err)
	}
	var cases []testCase
	if err := json.Unmarshal(b, &cases); err != nil {
		panic(err)
	}
	out := []result{}
	for _, c := range cases {
		var m map[string]any
		if err := utiljson.Unmarshal(c.Object, &m); err != nil {
			panic(err)
		}
		h, err := run(string(script), m)
		if err != nil {
			h = hs{Status: "Unknown", Message: err.Error()}
		}
		hh := h.(hs)
		out = append(out, result{Name: c.Name, Object: c.Object, Health: &hh})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}
