package sandbox

// Generate builds the World for opts. The same Seed and Records give a
// byte-identical World.
func Generate(opts Options) *World {
	now := opts.Now
	if now.IsZero() {
		now = DefaultNow
	}
	return &World{Seed: opts.Seed, Now: now}
}
