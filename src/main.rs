//! The `ocidig` binary: a thin wrapper over [`ocidig::cli::main`].

fn main() -> std::process::ExitCode {
    ocidig::cli::main()
}
