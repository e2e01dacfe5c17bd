package sftest

import (
	"fmt"
	"strings"
)

// base62 is the alphabet of Salesforce ids, in ASCII order so that ids of one
// object sort like their sequence numbers.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// suffixAlphabet maps a 5-bit chunk mask to the case-safe suffix character.
const suffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// idPod is what every emulator id carries after its key prefix, the way
// real ids carry their instance ("5g0…"). It lets parseID tell the
// emulator's ids from foreign ones.
const idPod = "5g"

// IDSuffix returns the 3-character case-safe checksum of a 15-character
// Salesforce id: for each 5-character chunk, a bit per uppercase letter
// (first character = bit 0), mapped through A–Z0–5.
func IDSuffix(id15 string) string {
	var b [3]byte
	for c := 0; c < 3; c++ {
		n := 0
		for i := 0; i < 5; i++ {
			ch := id15[c*5+i]
			if ch >= 'A' && ch <= 'Z' {
				n |= 1 << i
			}
		}
		b[c] = suffixAlphabet[n]
	}
	return string(b[:])
}

// To18 turns a 15-character id into its 18-character case-safe form; other
// input is returned unchanged.
func To18(id string) string {
	if len(id) != 15 {
		return id
	}
	return id + IDSuffix(id)
}

// makeID builds the 18-character id of the seq-th record of the object with
// the given key prefix.
func makeID(prefix string, seq int64) string {
	var b [18]byte
	copy(b[:3], prefix)
	copy(b[3:], idPod)
	n := seq
	for i := 14; i >= 3+len(idPod); i-- {
		b[i] = base62[n%62]
		n /= 62
	}
	copy(b[15:], IDSuffix(string(b[:15])))
	return string(b[:])
}

// idError tells why an id could not be parsed.
type idError int

const (
	idOK        idError = iota
	idMalformed         // not a Salesforce id at all (MALFORMED_ID)
	idForeign           // a well-formed id the emulator never issued (NOT_FOUND)
)

// parseID checks a 15- or 18-character id and returns its key prefix and
// sequence number. A wrong checksum or a character outside base 62 is
// idMalformed; a valid id not shaped like the emulator's is idForeign.
func parseID(id string) (prefix string, seq int64, e idError) {
	if len(id) != 15 && len(id) != 18 {
		return "", 0, idMalformed
	}
	for i := 0; i < len(id); i++ {
		if strings.IndexByte(base62, id[i]) < 0 {
			return "", 0, idMalformed
		}
	}
	if len(id) == 18 && !strings.EqualFold(id[15:], IDSuffix(id[:15])) {
		return "", 0, idMalformed
	}
	prefix = id[:3]
	if id[3:3+len(idPod)] != idPod {
		return prefix, 0, idForeign
	}
	for i := 3 + len(idPod); i < 15; i++ {
		seq = seq*62 + int64(strings.IndexByte(base62, id[i]))
	}
	if seq <= 0 {
		return prefix, 0, idForeign
	}
	return prefix, seq, idOK
}

// orgID is the emulated organization's 18-character id.
var orgID = makeID("00D", 1)

// formatLocator builds a query locator: a 01g cursor id, a dash and the
// offset of the next row.
func formatLocator(cursor int64, offset int) string {
	return fmt.Sprintf("%s-%d", makeID("01g", cursor), offset)
}
