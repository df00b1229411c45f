//! Native functions the prelude is given as `native` (never visible to user
//! code: the prelude closes over them and deletes nothing from globals).

use javy::quickjs::{
    ArrayBuffer, Ctx, Function, Object, Result, String as JsString, Value,
    context::EvalOptions, prelude::Func,
};

use crate::host;

/// Converts a JS string to UTF-8, replacing lone surrogates instead of failing.
pub(crate) fn lossy<'js>(ctx: &Ctx<'js>, s: &JsString<'js>) -> String {
    match s.to_string() {
        Ok(s) => s,
        Err(e) => javy::to_string_lossy(ctx, s, e),
    }
}

pub(crate) fn object<'js>(ctx: &Ctx<'js>) -> Result<Object<'js>> {
    let native = Object::new(ctx.clone())?;
    native.set("log", Func::from(log))?;
    native.set("callStart", Func::from(call_start))?;
    native.set("finish", Func::from(finish))?;
    native.set("now", Func::from(host::monotonic_ms))?;
    native.set("randomBytes", Func::from(random_bytes))?;
    native.set("evalScript", Func::from(eval_script))?;
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

fn random_bytes<'js>(ctx: Ctx<'js>, len: u32) -> Result<ArrayBuffer<'js>> {
    let mut buf = vec![0u8; len as usize];
    host::random(&mut buf);
    ArrayBuffer::new(ctx, buf)
}

/// Evaluates a script in global scope under `filename` (used in stack traces).
fn eval_script<'js>(ctx: Ctx<'js>, source: JsString<'js>, filename: JsString<'js>) -> Result<Value<'js>> {
    let mut options = EvalOptions::default();
    options.global = true;
    options.strict = false;
    options.filename = Some(lossy(&ctx, &filename));
    ctx.eval_with_options(lossy(&ctx, &source), options)
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
