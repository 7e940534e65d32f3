package diskcache

import (
	"encoding/gob"
	"errors"
)

// Chunk is how many records one gob value holds: an index is written
// and read a chunk at a time, never copied whole into its cached form or
// into one encoded value (which cost the session that writes it a third
// more memory at its peak).
const Chunk = 4096

// EncodeChunks writes in as gob values of up to Chunk records each, each
// record converted by conv.
func EncodeChunks[T, C any](enc *gob.Encoder, in []T, conv func(T) C) error {
	buf := make([]C, 0, min(len(in), Chunk))
	for i := 0; i < len(in); i += Chunk {
		buf = buf[:0]
		for _, v := range in[i:min(i+Chunk, len(in))] {
			buf = append(buf, conv(v))
		}
		if err := enc.Encode(buf); err != nil {
			return err
		}
	}
	return nil
}

// DecodeChunks reads n records written by EncodeChunks, each made by conv.
func DecodeChunks[C, T any](dec *gob.Decoder, n int, conv func(C) T) ([]T, error) {
	if n < 0 || n > 1<<28 {
		return nil, errors.New("malformed count")
	}
	out := make([]T, 0, n)
	for len(out) < n {
		// A fresh slice each time: gob decodes into what a reused one's
		// records hold, and a record's own slices (a function's ranges)
		// would be overwritten under the values already made from them.
		var buf []C
		if err := dec.Decode(&buf); err != nil {
			return nil, err
		}
		if len(buf) == 0 || len(out)+len(buf) > n {
			return nil, errors.New("malformed chunk")
		}
		for _, c := range buf {
			out = append(out, conv(c))
		}
	}
	return out, nil
}
