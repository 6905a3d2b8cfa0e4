package logs

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// errRepr says a Python repr could not be read.
var errRepr = errors.New("not a Python string or bytes literal")

// pyRepr decodes a Python repr() of bytes (b'...') or of a str ('...'), as
// Python's debug output prints them, into the bytes they stand for. It
// reads the escapes repr produces: \\ \' \" \n \r \t \a \b \f \v \0, \xNN,
// and in a str \uNNNN and \UNNNNNNNN (written as UTF-8). The literal must
// be the whole of s; rest is what follows the closing quote.
func pyRepr(s string) (out []byte, rest string, err error) {
	isBytes := false
	if len(s) > 0 && (s[0] == 'b' || s[0] == 'B') {
		isBytes = true
		s = s[1:]
	}
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') {
		return nil, "", errRepr
	}
	quote := s[0]
	out = make([]byte, 0, len(s))
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == quote {
			return out, s[i+1:], nil
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		switch e := s[i]; e {
		case '\\', '\'', '"':
			out = append(out, e)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'v':
			out = append(out, '\v')
		case '0':
			out = append(out, 0)
		case 'x', 'u', 'U':
			digits := 2
			if e == 'u' {
				digits = 4
			} else if e == 'U' {
				digits = 8
			}
			if e != 'x' && isBytes || i+digits >= len(s) {
				return nil, "", errRepr
			}
			v, perr := strconv.ParseUint(s[i+1:i+1+digits], 16, 32)
			if perr != nil {
				return nil, "", errRepr
			}
			i += digits
			if isBytes {
				out = append(out, byte(v))
			} else {
				if v > utf8.MaxRune {
					return nil, "", errRepr
				}
				out = utf8.AppendRune(out, rune(v))
			}
		default:
			// Python keeps an unknown escape as written.
			out = append(out, '\\', e)
		}
	}
	return nil, "", errRepr // no closing quote: the line was cut
}
