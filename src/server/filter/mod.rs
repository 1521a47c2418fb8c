//! RFC 7644 filter language: parser and evaluator (pure).
