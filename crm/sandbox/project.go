package sandbox

// Project returns what sys holds of w: a noisy, partial copy.
func (w *World) Project(sys System) *Projection {
	return &Projection{System: sys}
}
