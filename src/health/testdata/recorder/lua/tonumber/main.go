// Records gopher-lua's tonumber(s) for each JSON string given: a number, or null for nil.
package main

import (
	"encoding/json"
	"os"

	lua "github.com/yuin/gopher-lua"
)

func main() {
	var inputs []string
	b, _ := os.ReadFile(os.Args[1])
	if err := json.Unmarshal(b, &inputs); err != nil {
		panic(err)
	}
	type row struct {
		Input  string   `json:"input"`
		Result *float64 `json:"result"`
	}
	out := []row{}
	for _, in := range inputs {
		l := lua.NewState()
		l.SetGlobal("s", lua.LString(in))
		if err := l.DoString("return tonumber(s)"); err != nil {
			panic(err)
		}
		r := row{Input: in}
		if n, ok := l.Get(-1).(lua.LNumber); ok {
			f := float64(n)
			r.Result = &f
		}
		out = append(out, r)
		l.Close()
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(out)
}
