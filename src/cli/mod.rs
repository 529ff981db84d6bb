//! Command-line interface: parse arguments, run a command, map the outcome to an exit code.

pub mod args;
pub mod attestations;
pub mod check;
pub mod files;
pub mod ls;
pub mod rules;
pub mod tree;
pub mod verify;

use clap::{CommandFactory, FromArgMatches};
use std::io::Write;
use std::process::ExitCode;

/// Exit status when the tool could not run.
pub const EXIT_TOOL_ERROR: u8 = 2;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let parsed = args::Cli::command().try_get_matches().and_then(|m| {
        let levels = ordered_levels(&m);
        args::Cli::from_arg_matches(&m).map(|c| (c, levels))
    });
    let (cli, levels) = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_TOOL_ERROR } else { 0 });
        }
    };
    match run(cli, levels) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Error messages quote paths and names from the dump: no control character gets through.
            let text = format!("{e:#}");
            let _ = writeln!(std::io::stderr(), "ocidig: error: {}", crate::report::terminal::sanitize(&text, false));
            ExitCode::from(EXIT_TOOL_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow_like::Error) -> bool {
    e.io_kind() == Some(std::io::ErrorKind::BrokenPipe)
}

/// `--deny/--warn/--allow` values of `check` in command-line order (later wins).
pub fn ordered_levels(m: &clap::ArgMatches) -> check::OrderedLevels {
    use crate::policy::Level;
    let Some(("check", sub)) = m.subcommand() else { return Vec::new() };
    let mut all: Vec<(usize, Level, String)> = Vec::new();
    for (id, level) in [("deny", Level::Deny), ("warn", Level::Warn), ("allow", Level::Allow)] {
        if let (Some(idx), Some(vals)) = (sub.indices_of(id), sub.get_many::<String>(id)) {
            all.extend(idx.zip(vals).map(|(i, v)| (i, level, v.clone())));
        }
    }
    all.sort_by_key(|(i, _, _)| *i);
    all.into_iter().map(|(_, l, v)| (l, v)).collect()
}

/// Runs a parsed command; returns the exit status.
pub fn run(cli: args::Cli, levels: check::OrderedLevels) -> Result<u8, anyhow_like::Error> {
    match cli.command {
        args::Command::Check(a) => check::run(*a, levels),
        args::Command::Rules(a) => rules::run_rules(a),
        args::Command::Explain(a) => rules::run_explain(a),
        args::Command::Completions(a) => {
            clap_complete::generate(a.shell, &mut args::Cli::command(), "ocidig", &mut std::io::stdout().lock());
            Ok(0)
        }
        args::Command::Man => {
            clap_mangen::Man::new(args::Cli::command()).render(&mut std::io::stdout().lock())?;
            Ok(0)
        }
        args::Command::Verify(a) => verify::run(a),
        args::Command::Tree(a) => tree::run(a),
        args::Command::Attestations(a) => attestations::run(a),
        args::Command::Ls(a) => ls::run(a),
    }
}

/// A small error type for the binary: a message and, for I/O, the kind (to spot broken pipes).
pub mod anyhow_like {
    use std::fmt;

    /// An operational error.
    #[derive(Debug)]
    pub struct Error {
        message: String,
        kind: Option<std::io::ErrorKind>,
    }

    impl Error {
        /// An error with a message.
        pub fn msg(message: impl Into<String>) -> Self {
            Error { message: message.into(), kind: None }
        }

        /// The I/O error kind, when it came from I/O.
        pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
            self.kind
        }
    }

    impl fmt::Display for Error {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.message)
        }
    }

    impl From<std::io::Error> for Error {
        fn from(e: std::io::Error) -> Self {
            Error { message: e.to_string(), kind: Some(e.kind()) }
        }
    }

    impl From<crate::input::OpenError> for Error {
        fn from(e: crate::input::OpenError) -> Self {
            Error::msg(e.to_string())
        }
    }
}
