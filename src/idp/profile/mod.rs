//! IdP profiles as data: the vocabulary ([`ProfileSpec`]), the bundled
//! profile files (`profiles/*.yaml`, compiled into the binary like
//! `suites/`), a user's profile file (`--idp-file`), and the expansion of a
//! data profile's actions ([`expand`]). Okta and Entra stay code and are
//! described in the same vocabulary by [`describe`].
//!
//! A profile file is parsed with the suite loader's machinery, so a
//! malformed one gets the same `file:line:column: field: message` error as a
//! malformed suite. This module only builds steps: it never sends anything.

mod expand;
mod model;

pub use expand::{ACTIONS, ALIASES, canonical, expand};
pub use model::{
    Booleans, Capabilities, CapabilitySource, Deactivate, Groups, Lookup, MemberStyle, OpCase,
    Paging, Probe, ProfileSpec, Update, Users,
};

use std::path::Path;
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use indexmap::IndexMap;

use crate::idp::ExpandError;
use crate::suite::LoadError;
use crate::suite::model::{Profile, QueryEncoding};

/// The repository's `profiles/` folder, compiled into the binary.
static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/profiles");

/// Parses a profile file's text; `source` names it in errors.
pub fn load_str(source: &str, text: &str) -> Result<ProfileSpec, LoadError> {
    crate::suite::load_yaml(source, text)
}

/// Reads and parses a profile file (`--idp-file`).
pub fn load_file(path: &Path) -> Result<ProfileSpec, LoadError> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(&source, e.to_string()))?;
    load_str(&source, &text)
}

/// Every bundled profile file, parsed, by name (sorted by file name).
pub fn bundled() -> Result<Vec<ProfileSpec>, LoadError> {
    let mut files: Vec<_> = BUNDLED
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort_by_key(|f| f.path());
    files
        .into_iter()
        .map(|f| {
            let source = format!("profiles/{}", f.path().display());
            let text = std::str::from_utf8(f.contents())
                .map_err(|e| LoadError::io(&source, format!("not UTF-8: {e}")))?;
            load_str(&source, text)
        })
        .collect()
}

/// The bundled profile called `name`.
pub fn bundled_profile(name: &str) -> Result<&'static ProfileSpec, ExpandError> {
    static CACHE: OnceLock<Result<Vec<ProfileSpec>, String>> = OnceLock::new();
    let all = CACHE
        .get_or_init(|| bundled().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ExpandError::BadProfile(e.clone()))?;
    all.iter()
        .find(|p| p.name == name)
        .ok_or_else(|| ExpandError::UnknownFlavour(name.to_owned()))
}

/// The habits of `profile` in the data vocabulary: its file for a data
/// profile, a description for Okta and Entra (which stay code; fields the
/// vocabulary cannot express are summarised in `imitates`).
pub fn describe(profile: Profile) -> Result<ProfileSpec, ExpandError> {
    if profile.is_data() {
        return bundled_profile(profile.name()).cloned();
    }
    let okta = matches!(profile, Profile::Okta | Profile::OktaAiw);
    let (ua, content_type) = if okta {
        (
            crate::idp::okta::HEADERS.user_agent,
            crate::idp::okta::HEADERS.content_type,
        )
    } else {
        (
            crate::idp::entra::HEADERS.user_agent,
            crate::idp::entra::HEADERS.content_type,
        )
    };
    let mut headers = IndexMap::new();
    headers.insert("User-Agent".to_owned(), ua.to_owned());
    headers.insert("Accept".to_owned(), crate::scim::MEDIA_TYPE.to_owned());
    let mut spec = ProfileSpec {
        name: profile.name().to_owned(),
        imitates: String::new(),
        sources: vec![],
        headers,
        content_type: content_type.to_owned(),
        accepts: vec![
            crate::scim::MEDIA_TYPE.to_owned(),
            "application/json".to_owned(),
        ],
        booleans: Booleans::Native,
        op_case: OpCase::Lower,
        users: Users::default(),
        groups: Groups::default(),
        paging: Paging::default(),
        connection_test: vec![],
        capabilities: Capabilities::default(),
    };
    match profile {
        Profile::Okta | Profile::OktaAiw => {
            spec.sources = vec!["shared/okta-wire.md §2".to_owned()];
            spec.users.lookup.paged = true;
            spec.users.update = Update::Put;
            spec.connection_test = vec![Probe::ListUsers { count: 2 }];
            spec.capabilities.source = CapabilitySource::Declared;
            if profile == Profile::Okta {
                spec.imitates = "Okta, OIN catalogue app: PATCH for (de)activation and groups, \
                                 GET + PUT for profile pushes (code: src/idp/okta)"
                    .to_owned();
                spec.users.deactivate = Deactivate::Patch;
            } else {
                spec.imitates = "Okta, App Integration Wizard app: GET + PUT everywhere \
                                 (code: src/idp/okta)"
                    .to_owned();
                spec.users.deactivate = Deactivate::Put;
            }
        }
        _ => {
            spec.sources = vec!["shared/okta-wire.md §6".to_owned()];
            spec.users.lookup.encoding = QueryEncoding::Plus;
            spec.groups.lookup.encoding = QueryEncoding::Plus;
            spec.connection_test = vec![
                Probe::MissingUser {
                    accept_status: vec![200],
                },
                Probe::MissingGroup,
            ];
            if profile == Profile::Entra {
                spec.imitates = "Microsoft Entra ID, default provisioning job: capitalised ops, \
                                 \"True\"/\"False\" strings in PATCH (code: src/idp/entra)"
                    .to_owned();
                spec.booleans = Booleans::Capitalised;
                spec.op_case = OpCase::Capitalised;
                spec.groups.remove_members = MemberStyle::ValueArray;
            } else {
                spec.imitates =
                    "Microsoft Entra ID with aadOptscim062020 (code: src/idp/entra)".to_owned();
            }
        }
    }
    Ok(spec)
}

#[cfg(test)]
mod tests;
