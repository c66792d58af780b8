// Records gitops-engine's GetResourceHealth (no override) for test cases.
// Usage: oracle cases.json  (a JSON list of {"name", "object"}) → JSON list of
// {"name", "object", "health"} where health is null for "no health".
package main

import (
	"encoding/json"
	"os"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/health"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

type testCase struct {
	Name   string          `json:"name"`
	Object json.RawMessage `json:"object"`
}

type result struct {
	Name   string               `json:"name"`
	Object json.RawMessage      `json:"object"`
	Health *health.HealthStatus `json:"health"`
}

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var cases []testCase
	if err := json.Unmarshal(b, &cases); err != nil {
		panic(err)
	}
	out := []result{}
	for _, c := range cases {
		// Integral numbers become int64, as in objects read from the API server.
		var m map[string]any
		if err := utiljson.Unmarshal(c.Object, &m); err != nil {
			panic(err)
		}
		h, _ := health.GetResourceHealth(&unstructured.Unstructured{Object: m}, nil)
		out = append(out, result{Name: c.Name, Object: c.Object, Health: h})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}
