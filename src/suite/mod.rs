//! Suites: the data model of a YAML suite file ([`model`]), loading it from
//! text, files, directories or the bundled `suites/` folder with precise
//! `file:line:column: field: message` errors, and the semantic lint
//! ([`validate`]) run before anything is sent. This module keeps IdP
//! `action:` steps as data: it never imports `idp` or the runner, and it
//! never performs network I/O.

mod de;
mod error;
mod load;
mod locate;
pub mod model;
mod validate;
mod vars;

pub use error::{LoadError, LoadErrorKind};
pub use load::{bundled, load_paths, load_paths_all, load_str};
pub use model::*;
pub use validate::{validate, validate_with_vars};
pub use vars::bind_vars;
