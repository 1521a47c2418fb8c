//! TODO(snapshot): module doc.
