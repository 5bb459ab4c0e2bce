//! The `fieldwork` binary: a shim over [`fieldwork_server::cli`].

/// mimalloc instead of the system allocator: a request allocates and frees hundreds of small
/// buffers, and glibc's malloc was the largest single cost left in a request's profile
/// (BENCHMARKS.md, issue 6).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    fieldwork_server::cli::main()
}
