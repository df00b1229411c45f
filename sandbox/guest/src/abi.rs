//! The contract between the chatfn host and guest, shared by both sides
//! (the host includes this file by path so there is one source of truth).
//!
//! Data crosses the boundary one way only: the host stages bytes with each
//! call it makes, and the guest pulls them with `input_len`/`input_read`; the
//! guest pushes logs, host-call requests and its outcome through imports.
//! No guest memory is ever handed to the host to write at an address the
//! guest did not just ask for.

/// Module name of every host import.
pub(crate) const IMPORT_MODULE: &str = "chatfn";

/// `() -> u32`: length of the bytes the host staged for this call.
pub(crate) const IMPORT_INPUT_LEN: &str = "input_len";
/// `(ptr: u32)`: copy the staged bytes to `ptr` (which has `input_len` bytes).
pub(crate) const IMPORT_INPUT_READ: &str = "input_read";
/// `(level: u32, ptr: u32, len: u32) -> u32`: one console line (UTF-8).
/// Returns 1 once the log budget is spent, so the guest can stop formatting.
pub(crate) const IMPORT_LOG: &str = "log";
/// `(name_ptr, name_len, args_ptr, args_len) -> i32`: start a host call
/// (name + JSON args). Returns the call id (> 0) or a `CALL_ERR_*` code.
pub(crate) const IMPORT_CALL_START: &str = "call_start";
/// `(kind: u32, ptr: u32, len: u32)`: the invocation's outcome, once.
pub(crate) const IMPORT_FINISH: &str = "finish";
/// `(path_ptr: u32, path_len: u32, mode: u32) -> i32`: look a path up in
/// the image's module map (which stays on the host, shared by every
/// instance). See the `MODULE_*` modes.
pub(crate) const IMPORT_MODULE_OPEN: &str = "module_open";
/// `module_open` mode: the file's length, or -1 when there is no such file.
pub(crate) const MODULE_LOOKUP: u32 = 0;
/// `module_open` mode: as `MODULE_LOOKUP`, and the file's source is staged
/// for the next `input_read`.
pub(crate) const MODULE_READ: u32 = 1;
/// `module_open` mode: when the path is a directory of the module map (a
/// proper prefix of some file's path, or `/`), the names of its entries are
/// staged, one per line in path order, subdirectories with a trailing `/`;
/// returns the listing's length, or -1 when the path is not a directory.
pub(crate) const MODULE_LIST: u32 = 2;

/// Export run by Wizer: reads the image bundle (JSON) and evaluates it.
pub(crate) const EXPORT_INIT: &str = "chatfn_init";
/// `()`: evaluate a handler on an instance of a runtime image (built
/// without one). The input is `LOAD_SOURCE` then the handler script as
/// JSON, or an earlier load's compiled form (see [`encode_compiled`]). On
/// failure the guest calls `finish` with the error. After loading from
/// source it may `finish` with `FINISH_OK` and the compiled form, which
/// later loads of that handler can stage instead: they skip the parse.
pub(crate) const EXPORT_LOAD: &str = "chatfn_load";
/// Load input tag: the handler script as JSON follows.
pub(crate) const LOAD_SOURCE: u8 = 0;
/// Load input tag: a compiled handler follows (see [`encode_compiled`]).
pub(crate) const LOAD_COMPILED: u8 = 1;
/// `() -> i64`: start an invocation; the input is the event as JSON.
pub(crate) const EXPORT_INVOKE: &str = "chatfn_invoke";
/// `() -> i64`: deliver host-call completions (see [`encode_completion`]).
pub(crate) const EXPORT_RESUME: &str = "chatfn_resume";

/// Invoke/resume result: `finish` was called; the invocation is over.
pub(crate) const STATUS_DONE: i64 = -1;
/// Invoke/resume result: waiting on host calls only, no timer scheduled.
/// Any value `>= 0` means: waiting, and the next timer is due in that many
/// microseconds (host calls may be pending too).
pub(crate) const STATUS_WAIT_CALLS: i64 = -2;

/// `finish` kinds.
pub(crate) const FINISH_OK: u32 = 0;
/// The handler threw or rejected: payload `{name, message, stack}`.
pub(crate) const FINISH_EXCEPTION: u32 = 1;
/// The handler's value cannot be stored as JSON: payload `{message}`.
pub(crate) const FINISH_INVALID_RESULT: u32 = 2;
/// Nothing is left that could settle the handler's promise: payload `{message}`.
pub(crate) const FINISH_UNSETTLED: u32 = 3;

/// `call_start` refused: the per-invocation host-call count is spent.
pub(crate) const CALL_ERR_TOO_MANY: i32 = -1;
/// `call_start` refused: name or arguments exceed the size limit.
pub(crate) const CALL_ERR_TOO_LARGE: i32 = -2;
/// `call_start` refused: host calls are not available (e.g. during init).
pub(crate) const CALL_ERR_UNAVAILABLE: i32 = -3;

// `log` levels by index: 0 debug, 1 log, 2 info, 3 warn, 4 error (the
// prelude's console.js sends them; the host's `LogLevel::from_index` reads them).

/// Appends one host-call completion to a resume input:
/// `id: u32 LE, ok: u8, len: u32 LE, JSON bytes`.
pub(crate) fn encode_completion(out: &mut Vec<u8>, id: u32, ok: bool, json: &[u8]) {
    out.extend_from_slice(&id.to_le_bytes());
    out.push(u8::from(ok));
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(json);
}

/// Splits a resume input into `(id, ok, json)` completions; `None` if malformed.
pub(crate) fn decode_completions(mut input: &[u8]) -> Option<Vec<(u32, bool, &[u8])>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let id = u32::from_le_bytes(input.get(0..4)?.try_into().ok()?);
        let ok = *input.get(4)? != 0;
        let len = u32::from_le_bytes(input.get(5..9)?.try_into().ok()?) as usize;
        let json = input.get(9..9 + len)?;
        out.push((id, ok, json));
        input = &input[9 + len..];
    }
    Some(out)
}

/// A handler compiled by a load from source, as a later load's input:
/// `LOAD_COMPILED, commonjs: u8, filename_len: u32 LE, filename (UTF-8),
/// env_len: u32 LE, env (a JSON object, or empty when the runtime snapshot
/// has the environment), QuickJS bytecode`. The bytecode runs only in
/// instances of the image whose guest wrote it: QuickJS trusts bytecode it
/// reads.
pub(crate) fn encode_compiled(
    commonjs: bool,
    filename: &str,
    env: &str,
    bytecode: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(10 + filename.len() + env.len() + bytecode.len());
    out.push(LOAD_COMPILED);
    out.push(u8::from(commonjs));
    for text in [filename, env] {
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    out.extend_from_slice(bytecode);
    out
}

/// A compiled handler (without its tag): `commonjs`, `filename`, `env`
/// and `bytecode`; `None` if malformed.
pub(crate) struct CompiledHandler<'a> {
    pub(crate) commonjs: bool,
    pub(crate) filename: &'a str,
    pub(crate) env: &'a str,
    pub(crate) bytecode: &'a [u8],
}

/// Splits a compiled form (without its tag); `None` if malformed.
pub(crate) fn decode_compiled(input: &[u8]) -> Option<CompiledHandler<'_>> {
    let (&commonjs, mut rest) = input.split_first()?;
    let mut text = || {
        let len = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let text = std::str::from_utf8(rest.get(4..4usize.checked_add(len)?)?).ok()?;
        rest = &rest[4 + len..];
        Some(text)
    };
    let filename = text()?;
    let env = text()?;
    Some(CompiledHandler {
        commonjs: commonjs != 0,
        filename,
        env,
        bytecode: rest,
    })
}
