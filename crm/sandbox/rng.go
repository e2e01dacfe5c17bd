package sandbox

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// rnd adds the draws the generator needs to a seeded *rand.Rand.
type rnd struct{ *rand.Rand }

func newRnd(seed int64, stream uint64) rnd {
	return rnd{rand.New(rand.NewPCG(uint64(seed), stream))}
}

func (r rnd) chance(p float64) bool { return r.Float64() < p }

func (r rnd) pick(s []string) string { return s[r.IntN(len(s))] }

// between returns a uniform instant in [a, b); a when b is not after a.
func (r rnd) between(a, b time.Time) time.Time {
	d := b.Sub(a)
	if d <= 0 {
		return a
	}
	return a.Add(time.Duration(r.Int64N(int64(d))))
}

// lognorm draws from a log-normal distribution with the given median.
func (r rnd) lognorm(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// dur draws a log-normal duration with the given median, at least min.
func (r rnd) dur(median time.Duration, sigma float64, min time.Duration) time.Duration {
	d := time.Duration(r.lognorm(float64(median), sigma))
	return max(d, min)
}

// digits writes n random decimal digits to b.
func (r rnd) digits(b *strings.Builder, n int) {
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
}

// weighted picks indexes with fixed integer weights.
type weighted struct{ cum []int }

func newWeighted(w ...int) weighted {
	cum := make([]int, len(w))
	t := 0
	for i, x := range w {
		t += x
		cum[i] = t
	}
	return weighted{cum}
}

func (wt weighted) pick(r rnd) int {
	x := r.IntN(wt.cum[len(wt.cum)-1])
	i, _ := slices.BinarySearch(wt.cum, x+1)
	return i
}

// arena hands out strings carved from large shared buffers, so that the
// generator's millions of short strings cost few allocations. A string is
// built between begin and str; strings already handed out are never
// modified (strings.Builder only appends).
type arena struct {
	b       strings.Builder
	start   int
	scratch [24]byte
}

const arenaChunk = 1 << 16

// begin starts a string of at most about room bytes.
func (a *arena) begin(room int) *strings.Builder {
	if a.b.Cap()-a.b.Len() < room {
		a.b = strings.Builder{}
		a.b.Grow(max(arenaChunk, room))
	}
	a.start = a.b.Len()
	return &a.b
}

// str ends the string begun by begin and returns it.
func (a *arena) str() string { return a.b.String()[a.start:] }

// concat returns the concatenation of parts.
func (a *arena) concat(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := a.begin(n)
	for _, p := range parts {
		b.WriteString(p)
	}
	return a.str()
}

// id returns prefix followed by n zero-padded to six digits: "E-C-000042".
func (a *arena) id(prefix string, n int) string {
	b := a.begin(len(prefix) + 12)
	b.WriteString(prefix)
	num := strconv.AppendInt(a.scratch[:0], int64(n), 10)
	for i := len(num); i < 6; i++ {
		b.WriteByte('0')
	}
	b.Write(num)
	return a.str()
}

// itoa writes n in decimal to b.
func (a *arena) itoa(b *strings.Builder, n int) {
	b.Write(strconv.AppendInt(a.scratch[:0], int64(n), 10))
}

// foldRune maps a letter with a diacritic to its plain ASCII spelling.
func foldRune(r rune, german bool) string {
	switch r {
	case 'ä', 'æ':
		if german || r == 'æ' {
			return "ae"
		}
		return "a"
	case 'ö', 'ø':
		if german {
			return "oe"
		}
		return "o"
	case 'ü':
		if german {
			return "ue"
		}
		return "u"
	case 'Ä':
		return "Ae"
	case 'Ö', 'Ø':
		return "O"
	case 'Ü':
		return "U"
	case 'ß':
		return "ss"
	case 'à', 'á', 'â', 'ã', 'å', 'ą':
		return "a"
	case 'Á', 'À', 'Â', 'Å':
		return "A"
	case 'ç', 'ć', 'č':
		return "c"
	case 'è', 'é', 'ê', 'ë', 'ę':
		return "e"
	case 'É', 'È', 'Ê', 'Î':
		return "E"
	case 'ì', 'í', 'î', 'ï':
		return "i"
	case 'ñ', 'ń':
		return "n"
	case 'ò', 'ó', 'ô', 'õ':
		return "o"
	case 'ù', 'ú', 'û':
		return "u"
	case 'ý', 'ÿ':
		return "y"
	case 'ł':
		return "l"
	case 'Ł':
		return "L"
	case 'ś', 'š':
		return "s"
	case 'Ś', 'Š':
		return "S"
	case 'ź', 'ż', 'ž':
		return "z"
	case 'Ż', 'Ž':
		return "Z"
	case 'ř':
		return "r"
	case 'ě':
		return "e"
	}
	return string(r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fold spells s in plain ASCII ("Müller" → "Muller", or "Mueller" when
// german); ASCII input is returned as is.
func (a *arena) fold(s string, german bool) string {
	if isASCII(s) {
		return s
	}
	b := a.begin(2 * len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
		} else {
			b.WriteString(foldRune(r, german))
		}
	}
	return a.str()
}

// writeSlug writes s to b folded, lower-cased and stripped to [a-z0-9].
func writeSlug(b *strings.Builder, s string) {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r >= utf8.RuneSelf:
			for _, f := range foldRune(r, false) {
				if f < utf8.RuneSelf && (f >= 'a' && f <= 'z' || f >= 'A' && f <= 'Z') {
					b.WriteRune(f | 0x20)
				}
			}
		}
	}
}

// roundSig rounds x to sig significant digits.
func roundSig(x float64, sig int) float64 {
	if x == 0 {
		return 0
	}
	e := int(math.Ceil(math.Log10(math.Abs(x)))) - sig
	if e > 0 {
		q := math.Pow10(e)
		return math.Round(x/q) * q
	}
	q := math.Pow10(-e)
	return math.Round(x*q) / q
}

// day truncates t (UTC) to midnight.
func day(t time.Time) time.Time { return t.Truncate(24 * time.Hour) }

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
