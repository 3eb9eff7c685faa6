package contactimport

import "hash/maphash"

// keyIndex finds the row with a key (an email or an external ID) among a
// file's rows. It is an open-addressing hash table of row numbers whose
// keys stay in the file's text, 8 bytes a row at most rather than a
// string and a map entry each.
type keyIndex struct {
	seed  maphash.Seed
	slots []int32 // row+1, or 0 for an empty slot
	n     int
	key   func(row int32) []byte
}

func newKeyIndex(key func(row int32) []byte) *keyIndex {
	return &keyIndex{seed: maphash.MakeSeed(), slots: make([]int32, 1024), key: key}
}

// add adds row, whose key must not be empty, and returns -1; or, when
// another row has the same key, leaves the index as it is and returns that
// row.
func (x *keyIndex) add(row int32) int32 {
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	k := x.key(row)
	i := x.find(k)
	if x.slots[i] != 0 {
		return x.slots[i] - 1
	}
	x.slots[i] = row + 1
	x.n++
	return -1
}

// lookup returns the row whose key is k.
func (x *keyIndex) lookup(k []byte) (int32, bool) {
	i := x.find(k)
	return x.slots[i] - 1, x.slots[i] != 0
}

// find returns the slot holding k, or the empty slot where it belongs.
func (x *keyIndex) find(k []byte) int {
	mask := len(x.slots) - 1
	for i := int(maphash.Bytes(x.seed, k)) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 || string(x.key(s-1)) == string(k) {
			return i
		}
	}
}

// grow doubles the table.
func (x *keyIndex) grow() {
	old := x.slots
	x.slots = make([]int32, 2*len(old))
	for _, s := range old {
		if s != 0 {
			x.slots[x.find(x.key(s-1))] = s
		}
	}
}
