package sandbox

import (
	"runtime"
	"testing"
)

// BenchmarkGenerate1M measures the largest world: a million records per
// system. It reports the live heap the World keeps as MB-live.
func BenchmarkGenerate1M(b *testing.B) {
	b.ReportAllocs()
	var w *World
	for b.Loop() {
		w = Generate(Options{Seed: 1, Records: MaxRecords})
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-live")
	runtime.KeepAlive(w)
}

// BenchmarkProject1M measures projecting a million-record world onto each
// system.
func BenchmarkProject1M(b *testing.B) {
	w := Generate(Options{Seed: 1, Records: MaxRecords})
	for _, sys := range []System{Salesforce, ZohoCRM, ZohoDesk} {
		b.Run(string(sys), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if p := w.Project(sys); len(p.Accounts) == 0 {
					b.Fatal("empty projection")
				}
			}
		})
	}
}

// BenchmarkGenerate10K measures a typical test-sized world.
func BenchmarkGenerate10K(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Generate(Options{Seed: 1, Records: 10_000})
	}
}
