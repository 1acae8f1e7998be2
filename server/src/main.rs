//! The `hookflow` binary. Everything lives in the library so tests can start the
//! real application.

fn main() -> std::process::ExitCode {
    server::cli::main()
}
