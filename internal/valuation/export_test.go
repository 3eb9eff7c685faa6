package valuation

// WriteInParts makes s write the metrics of any population in n parts on
// PostgreSQL, as it does for large ones.
func WriteInParts(s *Service, n int) *Service {
	s.writeParts = func(int) int { return n }
	return s
}
