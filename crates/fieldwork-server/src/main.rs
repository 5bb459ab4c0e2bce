//! The `fieldwork` binary: a shim over [`fieldwork_server::cli`].

fn main() -> std::process::ExitCode {
    fieldwork_server::cli::main()
}
