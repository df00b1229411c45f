//! Native functions the prelude is given as `native` (never visible to user
//! code: the prelude closes over them and deletes nothing from globals).

use std::cell::Cell;

use hmac::{Hmac, Mac};
use javy::quickjs::{
    ArrayBuffer, Ctx, Error, Exception, Function, Object, Promise, Result, String as JsString,
    Value, context::EvalOptions, prelude::Func, promise::PromiseState, qjs,
};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::convert::{bytes, lossy};
use crate::host;

pub(crate) fn object<'js>(ctx: &Ctx<'js>) -> Result<Object<'js>> {
    let native = Object::new(ctx.clone())?;
    native.set("log", Func::from(log))?;
    native.set("callStart", Func::from(call_start))?;
    native.set("finish", Func::from(finish))?;
    native.set("finishResult", Func::from(finish_result))?;
    native.set("now", Func::from(host::monotonic_ms))?;
    native.set("randomBytes", Func::from(random_bytes))?;
    native.set("evalScript", Func::from(eval_script))?;
    native.set("compileScript", Func::from(compile_script))?;
    native.set("runCompiled", Func::from(run_compiled_buffer))?;
    native.set("digest", Func::from(digest))?;
    native.set("moduleExists", Func::from(module_exists))?;
    native.set("moduleSource", Func::from(module_source))?;
    native.set("moduleSize", Func::from(module_size))?;
    native.set("moduleList", Func::from(module_list))?;
    native.set("vendorEval", Func::from(vendor_eval))?;
    native.set("zlibNew", Func::from(zlib_new))?;
    native.set("zlibWrite", Func::from(zlib_write))?;
    native.set("zlibFree", Func::from(zlib_free))?;
    native.set("hmac", Func::from(hmac))?;
    crate::crypto::register(&native)?;
    native.set("promiseState", Func::from(promise_state))?;
    native.set("promiseResult", Func::from(promise_result))?;
    native.set("sawUncaught", Func::from(saw_uncaught))?;
    crate::intl::register(&native)?;
    Ok(native)
}

fn log<'js>(ctx: Ctx<'js>, level: u32, message: JsString<'js>) -> bool {
    host::log(level, &lossy(&ctx, &message))
}

fn call_start<'js>(ctx: Ctx<'js>, name: JsString<'js>, args: JsString<'js>) -> i32 {
    host::call_start(&lossy(&ctx, &name), &lossy(&ctx, &args))
}

fn finish<'js>(ctx: Ctx<'js>, kind: u32, payload: JsString<'js>) {
    host::finish(kind, lossy(&ctx, &payload).as_bytes())
}

/// Reports `value` as the result when the native writer can write it
/// (see [`crate::result_json`]); false leaves it to `JSON.stringify`.
pub(crate) fn finish_result<'js>(ctx: Ctx<'js>, value: Value<'js>) -> bool {
    match crate::result_json::to_json(&ctx, &value) {
        Some(json) => {
            host::finish(crate::abi::FINISH_OK, &json);
            true
        }
        None => false,
    }
}

/// -1 when `value` is not a native promise, else 0 pending, 1 fulfilled,
/// 2 rejected.
fn promise_state(value: Value<'_>) -> i32 {
    match value.as_promise().map(Promise::state) {
        None => -1,
        Some(PromiseState::Pending) => 0,
        Some(PromiseState::Resolved) => 1,
        Some(PromiseState::Rejected) => 2,
    }
}

thread_local! {
    /// Whether the prelude was told of an uncaught error since the
    /// invocation started: the outcome is then its to decide.
    static UNCAUGHT: Cell<bool> = const { Cell::new(false) };
}

fn saw_uncaught() {
    UNCAUGHT.set(true);
}

/// Forgets uncaught errors of earlier invocations: called as one starts.
pub(crate) fn reset_uncaught() {
    UNCAUGHT.set(false);
}

/// Whether an uncaught error reached the prelude since [`reset_uncaught`].
pub(crate) fn uncaught_seen() -> bool {
    UNCAUGHT.get()
}

/// A settled promise's value or reason (`undefined` while it is pending).
pub(crate) fn promise_result<'js>(ctx: Ctx<'js>, promise: Promise<'js>) -> Value<'js> {
    // SAFETY: plain QuickJS API call on a live promise; it returns a new
    // reference, which `from_raw` takes over.
    unsafe {
        let value = qjs::JS_PromiseResult(ctx.as_raw().as_ptr(), promise.as_raw());
        Value::from_raw(ctx, value)
    }
}

fn random_bytes<'js>(ctx: Ctx<'js>, len: u32) -> Result<ArrayBuffer<'js>> {
    let mut buf = vec![0u8; len as usize];
    host::random(&mut buf);
    ArrayBuffer::new(ctx, buf)
}

fn module_exists<'js>(ctx: Ctx<'js>, path: JsString<'js>) -> bool {
    host::module_exists(&lossy(&ctx, &path))
}

/// The file's length in bytes, or -1 when the module map has no such file.
fn module_size<'js>(ctx: Ctx<'js>, path: JsString<'js>) -> i32 {
    host::module_size(&lossy(&ctx, &path))
}

/// The entries of a directory of the module map, one per line
/// (subdirectories end in `/`), or `undefined` when there is no such
/// directory.
fn module_list<'js>(ctx: Ctx<'js>, path: JsString<'js>) -> Result<Value<'js>> {
    match host::module_list(&lossy(&ctx, &path)) {
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            Ok(JsString::from_str(ctx, &text)?.into_value())
        }
        None => Ok(Value::new_undefined(ctx)),
    }
}

/// The file's source, or `undefined` when the module map has no such file.
fn module_source<'js>(ctx: Ctx<'js>, path: JsString<'js>) -> Result<Value<'js>> {
    match host::module_source(&lossy(&ctx, &path)) {
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            Ok(JsString::from_str(ctx, &text)?.into_value())
        }
        None => Ok(Value::new_undefined(ctx)),
    }
}

fn unsupported<'js>(ctx: &Ctx<'js>) -> javy::quickjs::Error {
    Exception::throw_message(ctx, "Digest method not supported")
}

/// `digest(algorithm, data)`: md5, sha1, sha256, sha384 or sha512.
fn digest<'js>(
    ctx: Ctx<'js>,
    algorithm: JsString<'js>,
    data: ArrayBuffer<'js>,
) -> Result<ArrayBuffer<'js>> {
    let data = bytes(&data);
    let out = match lossy(&ctx, &algorithm).as_str() {
        "md5" => md5::Md5::digest(data).to_vec(),
        "sha1" => Sha1::digest(data).to_vec(),
        "sha256" => Sha256::digest(data).to_vec(),
        "sha384" => Sha384::digest(data).to_vec(),
        "sha512" => Sha512::digest(data).to_vec(),
        _ => return Err(unsupported(&ctx)),
    };
    ArrayBuffer::new(ctx, out)
}

/// `hmac(algorithm, key, data)` over the same algorithms.
fn hmac<'js>(
    ctx: Ctx<'js>,
    algorithm: JsString<'js>,
    key: ArrayBuffer<'js>,
    data: ArrayBuffer<'js>,
) -> Result<ArrayBuffer<'js>> {
    fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        match <M as Mac>::new_from_slice(key) {
            Ok(mut m) => {
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            // HMAC takes keys of any length.
            Err(_) => Vec::new(),
        }
    }
    let (key, data) = (bytes(&key), bytes(&data));
    let out = match lossy(&ctx, &algorithm).as_str() {
        "md5" => mac::<Hmac<md5::Md5>>(key, data),
        "sha1" => mac::<Hmac<Sha1>>(key, data),
        "sha256" => mac::<Hmac<Sha256>>(key, data),
        "sha384" => mac::<Hmac<Sha384>>(key, data),
        "sha512" => mac::<Hmac<Sha512>>(key, data),
        _ => return Err(unsupported(&ctx)),
    };
    ArrayBuffer::new(ctx, out)
}

/// `zlibNew(kind, level, windowBits)`: a codec handle, or -1 for an unknown
/// kind. `level` is the brotli quality for `brotliCompress`.
fn zlib_new<'js>(ctx: Ctx<'js>, kind: JsString<'js>, level: i32, window_bits: i32) -> i32 {
    use crate::zlib::{self, Format};
    let handle = match lossy(&ctx, &kind).as_str() {
        "deflate" => zlib::new_deflate(Format::Zlib, level),
        "deflateRaw" => zlib::new_deflate(Format::Raw, level),
        "gzip" => zlib::new_deflate(Format::Gzip, level),
        "inflate" => zlib::new_inflate(Format::Zlib),
        "inflateRaw" => zlib::new_inflate(Format::Raw),
        "gunzip" => zlib::new_inflate(Format::Gzip),
        "unzip" => zlib::new_inflate(Format::Auto),
        "brotliCompress" => zlib::new_brotli_encode(
            u32::try_from(level).unwrap_or(11),
            u32::try_from(window_bits).unwrap_or(22),
        ),
        "brotliDecompress" => zlib::new_brotli_decode(),
        _ => return -1,
    };
    handle as i32
}

/// `zlibWrite(handle, bytes, flush)`: the output as an ArrayBuffer, or
/// `{message, code, errno}` when the input is not valid.
fn zlib_write<'js>(
    ctx: Ctx<'js>,
    handle: u32,
    input: ArrayBuffer<'js>,
    flush: u32,
) -> Result<Value<'js>> {
    match crate::zlib::write(handle, bytes(&input), flush) {
        Ok(out) => Ok(ArrayBuffer::new(ctx, out)?.into_value()),
        Err(e) => {
            let error = Object::new(ctx)?;
            error.set("message", e.message)?;
            error.set("code", e.code)?;
            error.set("errno", e.errno)?;
            Ok(error.into_value())
        }
    }
}

fn zlib_free(handle: u32) {
    crate::zlib::free(handle)
}

/// JavaScript libraries built into the guest (`scripts/vendor-js.mjs`
/// writes `src/vendor/*.js`); each is evaluated on first use.
const VENDORED: &[(&str, &str)] = &[
    ("readable-stream", include_str!("vendor/readable-stream.js")),
    ("punycode", include_str!("vendor/punycode.js")),
    (
        "web-streams-polyfill",
        include_str!("vendor/web-streams-polyfill.js"),
    ),
];

/// Evaluates the vendored bundle `name`; `undefined` when there is none.
fn vendor_eval<'js>(ctx: Ctx<'js>, name: JsString<'js>) -> Result<Value<'js>> {
    let name = lossy(&ctx, &name);
    let Some((_, source)) = VENDORED.iter().find(|(n, _)| *n == name) else {
        return Ok(Value::new_undefined(ctx));
    };
    let mut options = EvalOptions::default();
    options.global = true;
    options.strict = false;
    options.filename = Some(format!("chatfn:vendor/{name}.js"));
    ctx.eval_with_options(*source, options)
}

/// Evaluates a script in global scope under `filename` (used in stack traces).
fn eval_script<'js>(
    ctx: Ctx<'js>,
    source: JsString<'js>,
    filename: JsString<'js>,
) -> Result<Value<'js>> {
    let mut options = EvalOptions::default();
    options.global = true;
    options.strict = false;
    options.filename = Some(lossy(&ctx, &filename));
    ctx.eval_with_options(lossy(&ctx, &source), options)
}

/// Compiles a script as [`eval_script`] would run it (global scope, not
/// strict) to QuickJS bytecode, without running it; [`run_compiled`] runs
/// it. Throws the script's `SyntaxError`.
fn compile_script<'js>(
    ctx: Ctx<'js>,
    source: JsString<'js>,
    filename: JsString<'js>,
) -> Result<ArrayBuffer<'js>> {
    // JS_Eval reads a NUL-terminated buffer; a NUL inside a file name would
    // end it early, so none is kept.
    let mut source = lossy(&ctx, &source).into_bytes();
    let len = source.len();
    source.push(0);
    let filename =
        std::ffi::CString::new(lossy(&ctx, &filename).replace('\0', "")).unwrap_or_default();
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: plain QuickJS API calls on the live context; `source` is
    // NUL-terminated at `len`; the compiled function and the written
    // buffer are freed here, after the buffer is copied.
    let bytecode = unsafe {
        let flags = qjs::JS_EVAL_TYPE_GLOBAL | qjs::JS_EVAL_FLAG_COMPILE_ONLY;
        let function = qjs::JS_Eval(
            raw,
            source.as_ptr().cast(),
            len as _,
            filename.as_ptr(),
            flags as i32,
        );
        if qjs::JS_IsException(function) {
            return Err(Error::Exception);
        }
        let mut size = 0;
        let buf = qjs::JS_WriteObject(raw, &mut size, function, qjs::JS_WRITE_OBJ_BYTECODE as i32);
        qjs::JS_FreeValue(raw, function);
        if buf.is_null() {
            return Err(Error::Exception);
        }
        let bytecode = std::slice::from_raw_parts(buf, size as usize).to_vec();
        qjs::js_free(raw, buf.cast());
        bytecode
    };
    ArrayBuffer::new(ctx, bytecode)
}

fn run_compiled_buffer<'js>(ctx: Ctx<'js>, bytecode: ArrayBuffer<'js>) -> Result<Value<'js>> {
    run_compiled(&ctx, bytes(&bytecode))
}

/// Runs a script [`compile_script`] compiled; returns its completion
/// value. The bytecode must come from this guest's own `compile_script`:
/// QuickJS does not validate bytecode it reads.
pub(crate) fn run_compiled<'js>(ctx: &Ctx<'js>, bytecode: &[u8]) -> Result<Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: plain QuickJS API calls on the live context; JS_EvalFunction
    // takes over the read function, and its result is a new reference that
    // `from_raw` takes over.
    unsafe {
        let function = qjs::JS_ReadObject(
            raw,
            bytecode.as_ptr(),
            bytecode.len() as _,
            qjs::JS_READ_OBJ_BYTECODE as i32,
        );
        if qjs::JS_IsException(function) {
            return Err(Error::Exception);
        }
        let value = qjs::JS_EvalFunction(raw, function);
        if qjs::JS_IsException(value) {
            return Err(Error::Exception);
        }
        Ok(Value::from_raw(ctx.clone(), value))
    }
}

/// Evaluates one prelude file (a function expression) and runs it.
pub(crate) fn run_prelude_file<'js>(
    ctx: &Ctx<'js>,
    name: &str,
    source: &str,
    native: &Object<'js>,
    internal: &Object<'js>,
) -> Result<()> {
    let mut options = EvalOptions::default();
    options.global = true;
    options.strict = true;
    options.filename = Some(name.to_string());
    let setup: Function = ctx.eval_with_options(source, options)?;
    setup.call::<_, ()>((native.clone(), internal.clone()))
}
