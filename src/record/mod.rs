//! `scimulator record` and `import har`: a recording reverse proxy
//! ([`proxy`]) that streams every exchange through unchanged while keeping
//! a bounded prefix of each body in an [`exchange::ExchangeLog`]; the
//! generator ([`mod@generate`]) that turns exchanges into a suite that reads
//! like a hand-written one; the HAR reader ([`har`]); and the client grader
//! ([`grade`], [`grade_report`]) that checks each incoming request as a
//! SCIM client request. It owns no server: the CLI starts the embedded
//! reference server behind it. It must not print, and must never write a
//! credential in clear.

pub mod exchange;
pub mod generate;
pub mod grade;
pub mod grade_report;
pub mod har;
pub mod proxy;

pub use exchange::{Captured, Exchange, ExchangeLog};
pub use generate::{GenerateOptions, Generated, generate};
pub use grade::{GradeReport, Grader, Level, Violation};
pub use proxy::{RecorderConfig, RunningRecorder, start};

/// What can go wrong while recording or importing.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The listen address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(std::net::SocketAddr, std::io::Error),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// A HAR file is not what it should be.
    #[error("{path}: not a HAR file: {message}")]
    Har {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}
