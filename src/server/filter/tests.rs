//! Table tests of the filter parser and evaluator (RFC 7644 §3.4.2.2 examples).
