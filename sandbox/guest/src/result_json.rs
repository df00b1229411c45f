//! A handler's result as JSON, written natively for the values handlers
//! return (plain objects, arrays, strings, numbers, booleans, null).
//!
//! QuickJS's `JSON.stringify` builds a wrapper object, a stack array and a
//! key array per object, and turns every key back into an atom: for a small
//! result it was the largest single cost of a reused instance's invocation
//! (about a sixth of it). This writer reads own data properties in place
//! and never runs user code, except a `toJSON` getter on a prototype,
//! which nothing real defines. Whenever a value is anything else (a getter,
//! a `toJSON` method, a class other than Object or Array, a hole, a lone
//! surrogate, a fraction, a cycle or deep nesting) it gives up, and the
//! prelude calls `JSON.stringify`: the output is always what
//! `JSON.stringify` would give.

use javy::quickjs::{Ctx, Value, qjs};

/// Class ids of quickjs-ng's `enum { JS_CLASS_OBJECT = 1, JS_CLASS_ARRAY,
/// … }`, which the C API does not export.
const CLASS_OBJECT: qjs::JSClassID = 1;
const CLASS_ARRAY: qjs::JSClassID = 2;

/// Beyond this depth (or a cycle) `JSON.stringify` decides.
const MAX_DEPTH: u32 = 32;

/// The JSON of `value`, or `None` when `JSON.stringify` must decide.
pub(crate) fn to_json(ctx: &Ctx<'_>, value: &Value<'_>) -> Option<Vec<u8>> {
    let mut writer = Writer {
        ctx: ctx.as_raw().as_ptr(),
        out: Vec::with_capacity(64),
        to_json: None,
    };
    let written = writer.value(value.as_raw(), 0) == Some(Written::Value);
    if let Some(atom) = writer.to_json {
        // SAFETY: the atom was made by `JS_NewAtom` on this context.
        unsafe { qjs::JS_FreeAtom(writer.ctx, atom) };
    }
    written.then_some(writer.out)
}

#[derive(PartialEq, Eq)]
enum Written {
    Value,
    /// `undefined`, a function or a symbol: left out of an object, `null`
    /// in an array.
    Nothing,
}

struct Writer {
    ctx: *mut qjs::JSContext,
    out: Vec<u8>,
    to_json: Option<qjs::JSAtom>,
}

impl Writer {
    fn value(&mut self, value: qjs::JSValue, depth: u32) -> Option<Written> {
        // SAFETY: `value` is a live value of this context, borrowed for the
        // call; the tag read does not touch its reference count.
        let tag = unsafe { qjs::JS_VALUE_GET_NORM_TAG(value) };
        match tag {
            qjs::JS_TAG_NULL => self.out.extend_from_slice(b"null"),
            qjs::JS_TAG_BOOL => {
                // SAFETY: as above; a bool's payload is an int.
                let truthy = unsafe { qjs::JS_VALUE_GET_BOOL(value) };
                self.out
                    .extend_from_slice(if truthy { b"true" } else { b"false" });
            }
            qjs::JS_TAG_INT => {
                // SAFETY: as above.
                let n = unsafe { qjs::JS_VALUE_GET_INT(value) };
                self.out.extend_from_slice(n.to_string().as_bytes());
            }
            qjs::JS_TAG_FLOAT64 => {
                // SAFETY: as above.
                let x = unsafe { qjs::JS_VALUE_GET_FLOAT64(value) };
                self.number(x)?;
            }
            qjs::JS_TAG_STRING | qjs::JS_TAG_STRING_ROPE => self.string(value)?,
            qjs::JS_TAG_UNDEFINED | qjs::JS_TAG_SYMBOL => return Some(Written::Nothing),
            qjs::JS_TAG_OBJECT => return self.object(value, depth),
            _ => return None,
        }
        Some(Written::Value)
    }

    /// Integers as `JSON.stringify` writes them; `NaN` and infinities are
    /// `null`. Fractions and large values go to `JSON.stringify` (its
    /// shortest round-trip digits and exponents are its own).
    fn number(&mut self, x: f64) -> Option<()> {
        if !x.is_finite() {
            self.out.extend_from_slice(b"null");
            return Some(());
        }
        if x.fract() != 0.0 || x.abs() >= 9_007_199_254_740_992.0 {
            return None;
        }
        // -0 is written `0`, as `JSON.stringify` does.
        self.out
            .extend_from_slice((x as i64).to_string().as_bytes());
        Some(())
    }

    fn string(&mut self, value: qjs::JSValue) -> Option<()> {
        let mut len: qjs::size_t = 0;
        // SAFETY: `value` is a live string of this context; the returned
        // buffer lives until `JS_FreeCString`.
        let ptr = unsafe { qjs::JS_ToCStringLen2(self.ctx, &mut len, value, false) };
        self.quote_c_string(ptr, len)
    }

    /// Quotes (and frees) a C string QuickJS made on this context: `len`
    /// bytes at `ptr`, null when making it failed.
    fn quote_c_string(&mut self, ptr: *const std::ffi::c_char, len: qjs::size_t) -> Option<()> {
        if ptr.is_null() {
            self.clear_exception();
            return None;
        }
        // SAFETY: QuickJS wrote `len` bytes at `ptr`.
        let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len as usize) };
        let quoted = self.quote(bytes);
        // SAFETY: `ptr` came from QuickJS on this context.
        unsafe { qjs::JS_FreeCString(self.ctx, ptr) };
        quoted
    }

    /// Writes `bytes` (QuickJS's UTF-8, where a lone surrogate is kept as
    /// its three-byte form) as a JSON string; a lone surrogate is left to
    /// `JSON.stringify`, which escapes it.
    fn quote(&mut self, bytes: &[u8]) -> Option<()> {
        if bytes
            .windows(2)
            .any(|pair| pair[0] == 0xED && pair[1] >= 0xA0)
        {
            return None;
        }
        self.out.push(b'"');
        for &byte in bytes {
            match byte {
                b'"' => self.out.extend_from_slice(b"\\\""),
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                b'\n' => self.out.extend_from_slice(b"\\n"),
                b'\r' => self.out.extend_from_slice(b"\\r"),
                b'\t' => self.out.extend_from_slice(b"\\t"),
                0x08 => self.out.extend_from_slice(b"\\b"),
                0x0C => self.out.extend_from_slice(b"\\f"),
                0x00..=0x1F => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.out.extend_from_slice(b"\\u00");
                    self.out.push(HEX[usize::from(byte >> 4)]);
                    self.out.push(HEX[usize::from(byte & 0xF)]);
                }
                _ => self.out.push(byte),
            }
        }
        self.out.push(b'"');
        Some(())
    }

    fn object(&mut self, value: qjs::JSValue, depth: u32) -> Option<Written> {
        // SAFETY: `value` is a live object of this context.
        let class = unsafe { qjs::JS_GetClassID(value) };
        if class != CLASS_OBJECT && class != CLASS_ARRAY {
            // SAFETY: as above.
            if unsafe { qjs::JS_IsFunction(self.ctx, value) } {
                return Some(Written::Nothing);
            }
            return None;
        }
        if depth >= MAX_DEPTH || self.has_to_json(value)? {
            return None;
        }
        if class == CLASS_ARRAY {
            self.array(value, depth)?;
        } else {
            self.fields(value, depth)?;
        }
        Some(Written::Value)
    }

    /// Whether `value` has a `toJSON` (own or inherited); `None` when
    /// looking threw.
    fn has_to_json(&mut self, value: qjs::JSValue) -> Option<bool> {
        let atom = match self.to_json {
            Some(atom) => atom,
            None => {
                // SAFETY: a NUL-terminated name, interned in this context.
                let atom = unsafe { qjs::JS_NewAtom(self.ctx, c"toJSON".as_ptr()) };
                self.to_json = Some(atom);
                atom
            }
        };
        // SAFETY: live object and atom of this context; the result is
        // owned and freed below.
        let found = unsafe { qjs::JS_GetProperty(self.ctx, value, atom) };
        // SAFETY: as above.
        let tag = unsafe { qjs::JS_VALUE_GET_NORM_TAG(found) };
        if tag == qjs::JS_TAG_EXCEPTION {
            self.clear_exception();
            return None;
        }
        // SAFETY: `found` is owned here.
        unsafe { qjs::JS_FreeValue(self.ctx, found) };
        Some(tag != qjs::JS_TAG_UNDEFINED)
    }

    /// An own data property's value (owned: the caller frees it); `None`
    /// for an accessor, a missing property or a failed lookup.
    fn own_data(&mut self, object: qjs::JSValue, atom: qjs::JSAtom) -> Option<qjs::JSValue> {
        let mut desc = std::mem::MaybeUninit::<qjs::JSPropertyDescriptor>::uninit();
        // SAFETY: live object and atom; on 1 QuickJS filled `desc`, whose
        // values are owned here.
        let found = unsafe { qjs::JS_GetOwnProperty(self.ctx, desc.as_mut_ptr(), object, atom) };
        if found < 0 {
            self.clear_exception();
            return None;
        }
        if found == 0 {
            return None;
        }
        // SAFETY: filled, as `found == 1` says.
        let desc = unsafe { desc.assume_init() };
        // SAFETY: the getter and setter are owned (undefined for data).
        unsafe {
            qjs::JS_FreeValue(self.ctx, desc.getter);
            qjs::JS_FreeValue(self.ctx, desc.setter);
        }
        if desc.flags & qjs::JS_PROP_GETSET as i32 != 0 {
            // SAFETY: owned.
            unsafe { qjs::JS_FreeValue(self.ctx, desc.value) };
            return None;
        }
        Some(desc.value)
    }

    fn array(&mut self, array: qjs::JSValue, depth: u32) -> Option<()> {
        let mut length = 0i64;
        // SAFETY: a live array of this context.
        if unsafe { qjs::JS_GetLength(self.ctx, array, &mut length) } < 0 {
            self.clear_exception();
            return None;
        }
        self.out.push(b'[');
        for i in 0..u32::try_from(length).ok()? {
            if i > 0 {
                self.out.push(b',');
            }
            // SAFETY: an index atom, freed below.
            let atom = unsafe { qjs::JS_NewAtomUInt32(self.ctx, i) };
            let element = self.own_data(array, atom);
            // SAFETY: made above.
            unsafe { qjs::JS_FreeAtom(self.ctx, atom) };
            // A hole reads through the prototype: JSON.stringify decides.
            let element = element?;
            let written = self.value(element, depth + 1);
            // SAFETY: owned since `own_data`.
            unsafe { qjs::JS_FreeValue(self.ctx, element) };
            if written? == Written::Nothing {
                self.out.extend_from_slice(b"null");
            }
        }
        self.out.push(b']');
        Some(())
    }

    fn fields(&mut self, object: qjs::JSValue, depth: u32) -> Option<()> {
        let mut table: *mut qjs::JSPropertyEnum = std::ptr::null_mut();
        let mut count = 0u32;
        let flags = (qjs::JS_GPN_STRING_MASK | qjs::JS_GPN_ENUM_ONLY) as i32;
        // SAFETY: a live object; on success QuickJS owns nothing of the
        // table but gives it to us, freed below.
        if unsafe { qjs::JS_GetOwnPropertyNames(self.ctx, &mut table, &mut count, object, flags) }
            < 0
        {
            self.clear_exception();
            return None;
        }
        // SAFETY: `count` entries at `table` (none when count is 0).
        let entries = if count == 0 {
            &[][..]
        } else {
            unsafe { std::slice::from_raw_parts(table, count as usize) }
        };
        let written = self.entries(object, entries, depth);
        // SAFETY: the table `JS_GetOwnPropertyNames` gave, with its atoms.
        unsafe { qjs::JS_FreePropertyEnum(self.ctx, table, count) };
        written
    }

    fn entries(
        &mut self,
        object: qjs::JSValue,
        entries: &[qjs::JSPropertyEnum],
        depth: u32,
    ) -> Option<()> {
        self.out.push(b'{');
        let mut first = true;
        for entry in entries {
            let field = self.own_data(object, entry.atom)?;
            let mark = self.out.len();
            if !first {
                self.out.push(b',');
            }
            let key = self.key(entry.atom);
            let written = key.and_then(|()| {
                self.out.push(b':');
                self.value(field, depth + 1)
            });
            // SAFETY: owned since `own_data`.
            unsafe { qjs::JS_FreeValue(self.ctx, field) };
            match written? {
                Written::Value => first = false,
                Written::Nothing => self.out.truncate(mark),
            }
        }
        self.out.push(b'}');
        Some(())
    }

    fn key(&mut self, atom: qjs::JSAtom) -> Option<()> {
        let mut len: qjs::size_t = 0;
        // SAFETY: a live atom; the buffer lives until `JS_FreeCString`.
        let ptr = unsafe { qjs::JS_AtomToCStringLen(self.ctx, &mut len, atom) };
        self.quote_c_string(ptr, len)
    }

    fn clear_exception(&mut self) {
        // SAFETY: takes the pending exception (if any) and frees it.
        unsafe {
            let exception = qjs::JS_GetException(self.ctx);
            qjs::JS_FreeValue(self.ctx, exception);
        }
    }
}
