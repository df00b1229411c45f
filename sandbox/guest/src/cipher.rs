//! AES for the prelude's ciphers (`createCipheriv`/`createDecipheriv` in
//! `prelude/node_crypto.js`, AES-* in `web_crypto.js`): ECB and CBC with
//! PKCS#7 padding, CTR with a counter of any width, GCM (any IV length, tags
//! checked in constant time) and RFC 3394 key wrap. The modes are written
//! once over [`Aes`], so each key size adds only its key schedule; each
//! cipher streams through a handle table, as the zlib codecs do, until
//! `cipherFinal` frees it.
//!
//! Failures come back as status numbers, which the JS side turns into
//! Node's (OpenSSL's) errors.

use std::cell::RefCell;

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use ghash::universal_hash::UniversalHash;
use javy::quickjs::{ArrayBuffer, Ctx, Result, String as JsString, Value};

use crate::convert::{bytes, lossy};
use crate::handles::Handles;

enum Aes {
    A128(aes::Aes128),
    A192(aes::Aes192),
    A256(aes::Aes256),
}

type Block = [u8; 16];

impl Aes {
    fn new(key: &[u8]) -> Option<Aes> {
        match key.len() {
            16 => aes::Aes128::new_from_slice(key).ok().map(Aes::A128),
            24 => aes::Aes192::new_from_slice(key).ok().map(Aes::A192),
            32 => aes::Aes256::new_from_slice(key).ok().map(Aes::A256),
            _ => None,
        }
    }

    fn encrypt(&self, block: &mut Block) {
        let block = block.into();
        match self {
            Aes::A128(c) => c.encrypt_block(block),
            Aes::A192(c) => c.encrypt_block(block),
            Aes::A256(c) => c.encrypt_block(block),
        }
    }

    fn decrypt(&self, block: &mut Block) {
        let block = block.into();
        match self {
            Aes::A128(c) => c.decrypt_block(block),
            Aes::A192(c) => c.decrypt_block(block),
            Aes::A256(c) => c.decrypt_block(block),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ecb,
    Cbc,
    Ctr,
    Gcm,
    /// AES key wrap (RFC 3394), one-shot: input is kept until `final`.
    Wrap,
}

/// What `cipherFinal` reports instead of output (the JS side makes Node's
/// errors of them).
const BAD_DECRYPT: i32 = 1;
const WRONG_FINAL_BLOCK_LENGTH: i32 = 2;
const AUTH_FAILED: i32 = 3;
const NO_HANDLE: i32 = 4;

struct Cipher {
    aes: Aes,
    mode: Mode,
    decrypt: bool,
    padding: bool,
    /// CBC: the previous ciphertext block. CTR and GCM: the next counter.
    chain: Block,
    /// CTR and GCM: the number of low bits of `chain` that count.
    counter_bits: u32,
    /// CTR and GCM: the current keystream block and how much of it is used.
    keystream: Block,
    keystream_used: usize,
    /// ECB, CBC: input not yet a whole block (or, decrypting with padding,
    /// the last whole block, held back). Wrap: all input.
    pending: Vec<u8>,
    gcm: Option<Box<Gcm>>,
}

struct Gcm {
    ghash: ghash::GHash,
    /// E(K, J0), which masks the tag.
    tag_mask: Block,
    aad: Vec<u8>,
    aad_len: u64,
    /// Ciphertext not yet a whole block for GHASH.
    partial: Vec<u8>,
    text_len: u64,
    started: bool,
}

impl Gcm {
    fn absorb_aad(&mut self) {
        if !self.started {
            self.started = true;
            self.ghash.update_padded(&self.aad);
            self.aad_len = self.aad.len() as u64;
            self.aad = Vec::new();
        }
    }

    fn absorb_text(&mut self, ciphertext: &[u8]) {
        self.absorb_aad();
        self.text_len += ciphertext.len() as u64;
        self.partial.extend_from_slice(ciphertext);
        let whole = self.partial.len() / 16 * 16;
        if whole > 0 {
            self.ghash.update_padded(&self.partial[..whole]);
            self.partial.drain(..whole);
        }
    }

    fn tag(mut self) -> Block {
        self.absorb_aad();
        self.ghash.update_padded(&self.partial);
        let mut lengths = [0u8; 16];
        lengths[..8].copy_from_slice(&(self.aad_len * 8).to_be_bytes());
        lengths[8..].copy_from_slice(&(self.text_len * 8).to_be_bytes());
        self.ghash.update_padded(&lengths);
        let mut tag: Block = self.ghash.finalize().into();
        for (t, m) in tag.iter_mut().zip(self.tag_mask) {
            *t ^= m;
        }
        tag
    }
}

/// Adds one to the low `bits` bits of the big-endian `block`, wrapping
/// within them.
fn increment(block: &mut Block, bits: u32) {
    let mut carry = true;
    let mut remaining = bits;
    for byte in block.iter_mut().rev() {
        if !carry || remaining == 0 {
            break;
        }
        let width = remaining.min(8);
        let mask = if width == 8 { 0xff } else { (1u8 << width) - 1 };
        let low = (*byte & mask).wrapping_add(1) & mask;
        carry = low == 0;
        *byte = (*byte & !mask) | low;
        remaining -= width;
    }
}

impl Cipher {
    fn new(mode: Mode, key: &[u8], iv: &[u8], decrypt: bool, counter_bits: u32) -> Option<Cipher> {
        let aes = Aes::new(key)?;
        let mut chain = [0u8; 16];
        let mut gcm = None;
        match mode {
            Mode::Ecb => {}
            // The integrity check value (RFC 3394's default unless given).
            Mode::Wrap => chain[..8].copy_from_slice(if iv.len() == 8 { iv } else { &WRAP_IV }),
            Mode::Cbc | Mode::Ctr => chain = iv.try_into().ok()?,
            Mode::Gcm => {
                if iv.is_empty() {
                    return None;
                }
                let mut h = [0u8; 16];
                aes.encrypt(&mut h);
                let ghash = <ghash::GHash as ghash::universal_hash::KeyInit>::new(&h.into());
                // J0 (NIST SP 800-38D §7.1): IV || 0^31 || 1 for 96-bit IVs,
                // else GHASH of the padded IV and its length.
                let mut j0 = [0u8; 16];
                if iv.len() == 12 {
                    j0[..12].copy_from_slice(iv);
                    j0[15] = 1;
                } else {
                    let mut iv_hash = ghash.clone();
                    iv_hash.update_padded(iv);
                    let mut lengths = [0u8; 16];
                    lengths[8..].copy_from_slice(&(iv.len() as u64 * 8).to_be_bytes());
                    iv_hash.update_padded(&lengths);
                    j0 = iv_hash.finalize().into();
                }
                let mut tag_mask = j0;
                aes.encrypt(&mut tag_mask);
                chain = j0;
                increment(&mut chain, 32);
                gcm = Some(Box::new(Gcm {
                    ghash,
                    tag_mask,
                    aad: Vec::new(),
                    aad_len: 0,
                    partial: Vec::new(),
                    text_len: 0,
                    started: false,
                }));
            }
        }
        Some(Cipher {
            aes,
            mode,
            decrypt,
            padding: true,
            chain,
            counter_bits: if mode == Mode::Gcm {
                32
            } else {
                counter_bits.clamp(1, 128)
            },
            keystream: [0u8; 16],
            keystream_used: 16,
            pending: Vec::new(),
            gcm,
        })
    }

    /// CTR keystream XOR, shared by CTR and GCM.
    fn xor_keystream(&mut self, data: &mut [u8]) {
        for byte in data {
            if self.keystream_used == 16 {
                self.keystream = self.chain;
                self.aes.encrypt(&mut self.keystream);
                increment(&mut self.chain, self.counter_bits);
                self.keystream_used = 0;
            }
            *byte ^= self.keystream[self.keystream_used];
            self.keystream_used += 1;
        }
    }

    fn block(&mut self, block: &mut Block) {
        match (self.mode, self.decrypt) {
            (Mode::Cbc, false) => {
                for (b, c) in block.iter_mut().zip(self.chain) {
                    *b ^= c;
                }
                self.aes.encrypt(block);
                self.chain = *block;
            }
            (Mode::Cbc, true) => {
                let next = *block;
                self.aes.decrypt(block);
                for (b, c) in block.iter_mut().zip(self.chain) {
                    *b ^= c;
                }
                self.chain = next;
            }
            (_, false) => self.aes.encrypt(block),
            (_, true) => self.aes.decrypt(block),
        }
    }

    fn update(&mut self, input: &[u8]) -> Vec<u8> {
        match self.mode {
            Mode::Ctr => {
                let mut out = input.to_vec();
                self.xor_keystream(&mut out);
                out
            }
            Mode::Gcm => {
                let mut out = input.to_vec();
                if self.decrypt
                    && let Some(gcm) = self.gcm.as_mut()
                {
                    gcm.absorb_text(input);
                }
                self.xor_keystream(&mut out);
                if !self.decrypt
                    && let Some(gcm) = self.gcm.as_mut()
                {
                    gcm.absorb_text(&out);
                }
                out
            }
            Mode::Wrap => {
                self.pending.extend_from_slice(input);
                Vec::new()
            }
            Mode::Ecb | Mode::Cbc => {
                self.pending.extend_from_slice(input);
                // Decrypting with padding keeps the last whole block back:
                // final() strips its padding.
                let keep = if self.decrypt && self.padding {
                    match self.pending.len() % 16 {
                        0 => 16.min(self.pending.len()),
                        r => r,
                    }
                } else {
                    self.pending.len() % 16
                };
                let ready = self.pending.len() - keep;
                let mut out: Vec<u8> = self.pending.drain(..ready).collect();
                for chunk in out.chunks_exact_mut(16) {
                    let mut block: Block = [0u8; 16];
                    block.copy_from_slice(chunk);
                    self.block(&mut block);
                    chunk.copy_from_slice(&block);
                }
                out
            }
        }
    }

    /// The last output (GCM encryption: the 16-byte tag), or one of the
    /// status codes above.
    fn finish(mut self, tag: &[u8]) -> std::result::Result<Vec<u8>, i32> {
        match self.mode {
            Mode::Ctr => Ok(Vec::new()),
            Mode::Gcm => {
                let Some(gcm) = self.gcm.take() else {
                    return Err(AUTH_FAILED);
                };
                let expected = gcm.tag();
                if !self.decrypt {
                    return Ok(expected.to_vec());
                }
                let matches = !tag.is_empty()
                    && tag.len() <= 16
                    && tag
                        .iter()
                        .zip(expected)
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0;
                if matches {
                    Ok(Vec::new())
                } else {
                    Err(AUTH_FAILED)
                }
            }
            Mode::Wrap => {
                let input = std::mem::take(&mut self.pending);
                if self.decrypt {
                    unwrap_key(&self.aes, &input, &self.chain[..8]).ok_or(BAD_DECRYPT)
                } else {
                    wrap_key(&self.aes, &input, &self.chain[..8]).ok_or(WRONG_FINAL_BLOCK_LENGTH)
                }
            }
            Mode::Ecb | Mode::Cbc => {
                let mut rest = std::mem::take(&mut self.pending);
                if !self.padding {
                    return if rest.is_empty() {
                        Ok(rest)
                    } else {
                        Err(WRONG_FINAL_BLOCK_LENGTH)
                    };
                }
                if self.decrypt {
                    let Ok(mut block) = <Block>::try_from(rest.as_slice()) else {
                        return Err(WRONG_FINAL_BLOCK_LENGTH);
                    };
                    self.block(&mut block);
                    let pad = block[15] as usize;
                    if pad == 0 || pad > 16 || block[16 - pad..].iter().any(|&b| b as usize != pad)
                    {
                        return Err(BAD_DECRYPT);
                    }
                    return Ok(block[..16 - pad].to_vec());
                }
                let pad = 16 - rest.len();
                rest.resize(16, pad as u8);
                let mut block: Block = [0u8; 16];
                block.copy_from_slice(&rest);
                self.block(&mut block);
                Ok(block.to_vec())
            }
        }
    }
}

const WRAP_IV: [u8; 8] = [0xa6; 8];

/// RFC 3394 key wrap of `input` (a multiple of 8 bytes, at least 16) with
/// the 8-byte initial value `iv`.
fn wrap_key(aes: &Aes, input: &[u8], iv: &[u8]) -> Option<Vec<u8>> {
    if !input.len().is_multiple_of(8) || input.len() < 16 {
        return None;
    }
    let n = input.len() / 8;
    let mut a: [u8; 8] = iv.try_into().ok()?;
    let mut r: Vec<[u8; 8]> = input
        .chunks_exact(8)
        .map(|c| c.try_into().unwrap_or([0; 8]))
        .collect();
    for j in 0..6 {
        for (i, ri) in r.iter_mut().enumerate() {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&a);
            b[8..].copy_from_slice(ri);
            aes.encrypt(&mut b);
            let t = (n * j + i + 1) as u64;
            a.copy_from_slice(&b[..8]);
            for (x, y) in a.iter_mut().zip(t.to_be_bytes()) {
                *x ^= y;
            }
            ri.copy_from_slice(&b[8..]);
        }
    }
    let mut out = a.to_vec();
    for ri in r {
        out.extend_from_slice(&ri);
    }
    Some(out)
}

/// RFC 3394 key unwrap; `None` when the integrity check against `iv` fails.
fn unwrap_key(aes: &Aes, input: &[u8], iv: &[u8]) -> Option<Vec<u8>> {
    if !input.len().is_multiple_of(8) || input.len() < 24 {
        return None;
    }
    let n = input.len() / 8 - 1;
    let mut a: [u8; 8] = input[..8].try_into().ok()?;
    let mut r: Vec<[u8; 8]> = input[8..]
        .chunks_exact(8)
        .map(|c| c.try_into().unwrap_or([0; 8]))
        .collect();
    for j in (0..6).rev() {
        for i in (0..n).rev() {
            let t = (n * j + i + 1) as u64;
            for (x, y) in a.iter_mut().zip(t.to_be_bytes()) {
                *x ^= y;
            }
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&a);
            b[8..].copy_from_slice(&r[i]);
            aes.decrypt(&mut b);
            a.copy_from_slice(&b[..8]);
            r[i].copy_from_slice(&b[8..]);
        }
    }
    if a.as_slice() != iv {
        return None;
    }
    Some(r.concat())
}

thread_local! {
    static CIPHERS: RefCell<Handles<Cipher>> = const { RefCell::new(Handles::new()) };
}

/// `cipherNew(mode, key, iv, decrypt, counterBits)`: a cipher handle, or -1
/// for a bad mode, key or IV length (checked by the JS side first, for
/// Node's errors).
pub(crate) fn cipher_new<'js>(
    ctx: Ctx<'js>,
    mode: JsString<'js>,
    key: ArrayBuffer<'js>,
    iv: ArrayBuffer<'js>,
    decrypt: bool,
    counter_bits: u32,
) -> i32 {
    let mode = match lossy(&ctx, &mode).as_str() {
        "ecb" => Mode::Ecb,
        "cbc" => Mode::Cbc,
        "ctr" => Mode::Ctr,
        "gcm" => Mode::Gcm,
        "wrap" => Mode::Wrap,
        _ => return -1,
    };
    let Some(cipher) = Cipher::new(mode, bytes(&key), bytes(&iv), decrypt, counter_bits) else {
        return -1;
    };
    CIPHERS.with(|ciphers| ciphers.borrow_mut().insert(cipher) as i32)
}

fn with_cipher<T>(handle: u32, f: impl FnOnce(&mut Cipher) -> T) -> Option<T> {
    CIPHERS.with(|ciphers| ciphers.borrow_mut().get_mut(handle).map(f))
}

/// `cipherPadding(handle, on)`: PKCS#7 padding for ECB and CBC (on by
/// default).
pub(crate) fn cipher_padding(handle: u32, on: bool) -> bool {
    with_cipher(handle, |c| c.padding = on).is_some()
}

/// `cipherAad(handle, data)`: adds GCM additional data (false once text has
/// gone through, or for another mode).
pub(crate) fn cipher_aad(handle: u32, data: ArrayBuffer<'_>) -> bool {
    with_cipher(handle, |c| match c.gcm.as_mut() {
        Some(gcm) if !gcm.started => {
            gcm.aad.extend_from_slice(bytes(&data));
            true
        }
        _ => bytes(&data).is_empty(),
    })
    .unwrap_or(false)
}

/// `cipherUpdate(handle, data)`: the output so far.
pub(crate) fn cipher_update<'js>(
    ctx: Ctx<'js>,
    handle: u32,
    data: ArrayBuffer<'js>,
) -> Result<ArrayBuffer<'js>> {
    let out = with_cipher(handle, |c| c.update(bytes(&data))).unwrap_or_default();
    ArrayBuffer::new(ctx, out)
}

/// `cipherFinal(handle, tag)`: the last output, or a status number
/// (1 bad decrypt, 2 wrong final block length, 3 authentication failed,
/// 4 no such handle). Frees the handle.
pub(crate) fn cipher_final<'js>(
    ctx: Ctx<'js>,
    handle: u32,
    tag: ArrayBuffer<'js>,
) -> Result<Value<'js>> {
    let cipher = CIPHERS.with(|ciphers| ciphers.borrow_mut().take(handle));
    match cipher.map(|c| c.finish(bytes(&tag))) {
        Some(Ok(out)) => Ok(ArrayBuffer::new(ctx, out)?.into_value()),
        Some(Err(code)) => Ok(Value::new_int(ctx, code)),
        None => Ok(Value::new_int(ctx, NO_HANDLE)),
    }
}

/// `cipherFree(handle)`: drops a cipher that never reached `final`.
pub(crate) fn cipher_free(handle: u32) {
    CIPHERS.with(|ciphers| drop(ciphers.borrow_mut().take(handle)))
}
