package webhook

import (
	"encoding/json"
	"fmt"
	"time"
)

// maxDepth bounds the nesting of a member before "data", as encoding/json
// bounds any value.
const maxDepth = 10000

// The flags scanString reports about a string's content.
const (
	strEscaped  = 1 << iota // holds a backslash escape
	strNonASCII             // holds a byte ≥ 0x80
)

// envelope is the result of parseEnvelope: the members of a canonical body,
// still as bytes, so that verifying allocates nothing.
type envelope struct {
	// id and typ are the string tokens, quotes included.
	id, typ           []byte
	idFlags, typFlags int
	timestamp         time.Time
	data              []byte
}

// malformed returns an error wrapping ErrMalformedPayload.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedPayload, fmt.Sprintf(format, args...))
}

// parseEnvelope reads the members of body that precede "data", exactly as
// the JSON grammar and encoding/json define them, and takes the rest of the
// object as the data member without scanning it. See Decode for the layout
// it accepts. It allocates only to unescape a member name that holds escapes
// and to report an error.
func parseEnvelope(b []byte) (envelope, error) {
	var env envelope
	i := skipWS(b, 0)
	end := len(b)
	for end > i && isWS(b[end-1]) {
		end--
	}
	if end-i < 2 || b[i] != '{' || b[end-1] != '}' {
		return env, malformed("body is not a JSON object")
	}
	end-- // b[end] is the envelope's closing brace; the members lie before it.
	i++
	const (
		seenID = 1 << iota
		seenEvent
		seenTimestamp
	)
	var seen int
	var ts []byte
	for {
		i = skipWS(b, i)
		if i >= end {
			return env, malformed(`no "data" member`)
		}
		if b[i] != '"' {
			return env, malformed("at byte %d: want a member name", i)
		}
		next, flags, err := scanString(b, i, end)
		if err != nil {
			return env, err
		}
		name, err := memberName(b[i:next], flags)
		if err != nil {
			return env, err
		}
		i = skipWS(b, next)
		if i >= end || b[i] != ':' {
			return env, malformed("at byte %d: want ':' after a member name", i)
		}
		i = skipWS(b, i+1)
		if name == "data" {
			data := b[i:end]
			for len(data) > 0 && isWS(data[len(data)-1]) {
				data = data[:len(data)-1]
			}
			if len(data) < 2 || data[0] != '{' || data[len(data)-1] != '}' {
				return env, malformed(`"data" is not an object ending the envelope`)
			}
			env.data = data[:len(data):len(data)]
			break
		}
		if i >= end {
			return env, malformed("member %q has no value", name)
		}
		var bit int
		switch name {
		case "id":
			bit = seenID
		case "event":
			bit = seenEvent
		case "timestamp":
			bit = seenTimestamp
		}
		if bit == 0 {
			if i, err = skipValue(b, i, end, 2); err != nil {
				return env, err
			}
		} else {
			if seen&bit != 0 {
				return env, malformed("duplicate member %q", name)
			}
			seen |= bit
			if b[i] != '"' {
				return env, malformed("%q is not a string", name)
			}
			start := i
			if i, flags, err = scanString(b, i, end); err != nil {
				return env, err
			}
			switch bit {
			case seenID:
				env.id, env.idFlags = b[start:i], flags
			case seenEvent:
				env.typ, env.typFlags = b[start:i], flags
			case seenTimestamp:
				ts = b[start+1 : i-1]
			}
		}
		i = skipWS(b, i)
		if i >= end || b[i] != ',' {
			return env, malformed("at byte %d: want ',' after a member", i)
		}
		i++
	}
	switch {
	case seen&seenID == 0 || len(env.id) == 2:
		return env, malformed(`missing or empty "id"`)
	case seen&seenEvent == 0 || len(env.typ) == 2:
		return env, malformed(`missing or empty "event"`)
	case seen&seenTimestamp == 0:
		return env, malformed(`missing "timestamp"`)
	}
	// Like encoding/json for a time.Time, parse the raw string content:
	// a timestamp that holds escapes is not RFC 3339.
	if err := env.timestamp.UnmarshalText(ts); err != nil {
		return env, malformed("timestamp %q is not RFC 3339", ts)
	}
	return env, nil
}

// event converts env into an Event, allocating its strings. It returns an
// error wrapping ErrMalformedPayload if a string does not unquote.
func (env *envelope) event() (Event, error) {
	id, err := unquote(env.id, env.idFlags)
	if err != nil {
		return Event{}, err
	}
	typ, err := unquote(env.typ, env.typFlags)
	if err != nil {
		return Event{}, err
	}
	return Event{
		ID:        id,
		Type:      typ,
		Timestamp: env.timestamp.UTC(),
		Data:      json.RawMessage(env.data),
	}, nil
}

// memberName returns the name of the member whose quoted name is tok if it
// is one the envelope defines, and "" otherwise.
func memberName(tok []byte, flags int) (string, error) {
	if flags&strEscaped == 0 {
		// The bytes are the name; one holding a byte ≥ 0x80 is none of ours.
		return definedName(tok[1 : len(tok)-1]), nil
	}
	s, err := unquote(tok, flags)
	if err != nil {
		return "", err
	}
	return definedName([]byte(s)), nil
}

// definedName returns name if the envelope defines a member of that name,
// and "" otherwise.
func definedName(name []byte) string {
	switch string(name) {
	case "id":
		return "id"
	case "event":
		return "event"
	case "timestamp":
		return "timestamp"
	case "data":
		return "data"
	}
	return ""
}

// unquote returns the string the JSON string token tok stands for, as
// encoding/json decodes it: escapes resolved, invalid UTF-8 replaced by
// U+FFFD. flags are what scanString reported for tok.
func unquote(tok []byte, flags int) (string, error) {
	if flags == 0 {
		return string(tok[1 : len(tok)-1]), nil
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return "", malformed("string %s: %v", tok, err)
	}
	return s, nil
}

// isWS reports whether c is JSON white space.
func isWS(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// skipWS returns the index of the first byte at or after i that is not
// JSON white space.
func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

// scanString validates the JSON string token starting at b[i] == '"' and
// ending before end. It returns the index after the closing quote and what
// the content holds.
func scanString(b []byte, i, end int) (next, flags int, err error) {
	start := i
	i++
	for i < end {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, flags, nil
		case c == '\\':
			flags |= strEscaped
			if i+1 >= end {
				return 0, 0, malformed("at byte %d: unterminated string", start)
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > end || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return 0, 0, malformed(`at byte %d: invalid \u escape`, i)
				}
				i += 6
			default:
				return 0, 0, malformed("at byte %d: invalid escape", i)
			}
		case c < 0x20:
			return 0, 0, malformed("at byte %d: control character in string", i)
		default:
			if c >= 0x80 {
				flags |= strNonASCII
			}
			i++
		}
	}
	return 0, 0, malformed("at byte %d: unterminated string", start)
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isDigit reports whether c is a decimal digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skipValue validates the JSON value starting at b[i], i < end, and returns
// the index after it. depth is the nesting depth the value has if it is an
// object or array, counting the envelope as 1, as encoding/json counts.
func skipValue(b []byte, i, end, depth int) (int, error) {
	switch c := b[i]; {
	case c == '"':
		next, _, err := scanString(b, i, end)
		return next, err
	case c == '{' || c == '[':
		return skipContainer(b, i, end, depth)
	case c == 't':
		return skipLiteral(b, i, end, "true")
	case c == 'f':
		return skipLiteral(b, i, end, "false")
	case c == 'n':
		return skipLiteral(b, i, end, "null")
	case c == '-' || isDigit(c):
		return skipNumber(b, i, end)
	}
	return 0, malformed("at byte %d: want a value", i)
}

// skipContainer validates the object or array starting at b[i] and returns
// the index after it.
func skipContainer(b []byte, i, end, depth int) (int, error) {
	if depth > maxDepth {
		return 0, malformed("at byte %d: nested too deeply", i)
	}
	object := b[i] == '{'
	closer := byte(']')
	if object {
		closer = '}'
	}
	i = skipWS(b, i+1)
	if i < end && b[i] == closer {
		return i + 1, nil
	}
	for {
		if i >= end {
			return 0, malformed("unterminated object or array")
		}
		var err error
		if object {
			if b[i] != '"' {
				return 0, malformed("at byte %d: want a member name", i)
			}
			if i, _, err = scanString(b, i, end); err != nil {
				return 0, err
			}
			i = skipWS(b, i)
			if i >= end || b[i] != ':' {
				return 0, malformed("at byte %d: want ':' after a member name", i)
			}
			i = skipWS(b, i+1)
			if i >= end {
				return 0, malformed("unterminated object")
			}
		}
		if i, err = skipValue(b, i, end, depth+1); err != nil {
			return 0, err
		}
		i = skipWS(b, i)
		switch {
		case i >= end:
			return 0, malformed("unterminated object or array")
		case b[i] == closer:
			return i + 1, nil
		case b[i] != ',':
			return 0, malformed("at byte %d: want ',' or %q", i, closer)
		}
		i = skipWS(b, i+1)
	}
}

// skipLiteral checks that lit starts at b[i] and returns the index after it.
func skipLiteral(b []byte, i, end int, lit string) (int, error) {
	if end-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, malformed("at byte %d: invalid literal", i)
	}
	return i + len(lit), nil
}

// skipNumber validates the JSON number starting at b[i] and returns the
// index after it.
func skipNumber(b []byte, i, end int) (int, error) {
	start := i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < end && b[i] == '0':
		i++
	case i < end && isDigit(b[i]):
		for i < end && isDigit(b[i]) {
			i++
		}
	default:
		return 0, malformed("at byte %d: invalid number", start)
	}
	if i < end && b[i] == '.' {
		i++
		if i >= end || !isDigit(b[i]) {
			return 0, malformed("at byte %d: invalid number", start)
		}
		for i < end && isDigit(b[i]) {
			i++
		}
	}
	if i < end && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < end && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= end || !isDigit(b[i]) {
			return 0, malformed("at byte %d: invalid number", start)
		}
		for i < end && isDigit(b[i]) {
			i++
		}
	}
	return i, nil
}
