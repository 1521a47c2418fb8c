//! TODO(runner): module doc.
