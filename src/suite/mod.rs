//! Suites: the data model of a YAML suite file ([`model`]), loading it from
//! text, files, directories or the bundled `suites/` folder with precise
//! `file:line:column: field: message` errors, and the semantic lint
//! ([`validate()`]) run before anything is sent. This module keeps IdP
//! `action:` steps as data: it never imports `idp` or the runner, and it
//! never performs network I/O.
//!
//! # Format in brief
//!
//! ```yaml
//! suite: Okta pushes a new user          # required
//! description: …                          # optional
//! idp: okta                               # okta | okta-aiw | entra | entra-2020 | onelogin | pingfederate | …
//! tags: [okta, users]
//! severity: required                      # required | recommended | advisory
//! vars:                                   # rendered in order at the start of every case
//!   user: "{{ unique.email }}"
//!   token: { value: "{{ env(\"TOKEN\") }}", secret: true }
//! x-create: &create                       # top-level `x-*` keys are ignored: anchor holders
//!   request: { method: POST, path: /Users, body: { userName: "{{ user }}" } }
//! cases:
//!   - name: a pushed user can be read back  # unique in the suite
//!     why: Okta reads the user before every profile push   # required, non-empty
//!     requires: [revoked_token, reference_server, { capability: patch }, { resource_type: Role }]
//!     steps:
//!       - *create                           # aliases and `<<: *merge` keys work
//!       - action: okta.push_new_user        # `<profile>.<action>`; `with:`, `expect:`, `capture:`
//!         with: { userName: "{{ user }}" }
//!         capture: { id: $.id }
//!       - request: { method: GET, path: "/Users/{{ id }}", auth: revoked }
//!         expect: { status: 401, schema: Error, json: { $.status: "401" } }
//!     cleanup:
//!       - request: { method: DELETE, path: "/Users/{{ id }}" }
//! ```
//!
//! A map under `expect.json` is always a set of predicate keys (compare with
//! an object through `{ eq: {…} }`); any other value is an `eq` literal.

mod de;
mod error;
mod load;
mod locate;
pub mod model;
mod validate;
mod vars;

pub use error::{LoadError, LoadErrorKind};
pub use load::{bundled, load_paths, load_paths_all, load_str, load_yaml};
pub use locate::Place;
pub use model::*;
pub use validate::{validate, validate_with_vars};
pub use vars::bind_vars;
