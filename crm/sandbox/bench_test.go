package sandbox

import "testing"

func BenchmarkGenerate1M(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		w := Generate(Options{Seed: 1, Records: 1_000_000})
		if len(w.People) == 0 {
			b.Fatal("no people")
		}
	}
}
