//! `chatfn`: the chat functions runtime's command-line tool.

fn main() -> std::process::ExitCode {
    runtime::cli::main()
}
