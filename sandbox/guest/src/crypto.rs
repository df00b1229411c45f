//! Native primitives behind the prelude's `crypto` and `crypto.subtle`
//! (`prelude/crypto_keys.js`, `node_crypto.js`, `web_crypto.js`): ECDSA and
//! ECDH on P-256 and P-384, Ed25519, X25519, RSA (PKCS#1 v1.5, PSS, OAEP) and
//! HKDF, PBKDF2, scrypt; the AES ciphers are `cipher.rs`'s. All RustCrypto,
//! pure Rust.
//!
//! Keys cross as raw parts, never as PEM or DER: the JS side parses and
//! writes key formats and keeps each key as its parts (an EC scalar and
//! point, an Ed25519 seed, RSA's n, e, d, p, q), so every call here is
//! stateless. Randomness (key generation, RSA blinding and PSS salts) comes
//! from the host's CSPRNG.
//!
//! Failures the JS side turns into Node's errors come back as `undefined`
//! (or a status number); only misuse from the prelude itself throws.

use ed25519_dalek::{Signer, Verifier};
use javy::quickjs::{
    Array, ArrayBuffer, Ctx, Exception, Object, Result, String as JsString, Value, prelude::Func,
};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, Oaep, Pkcs1v15Encrypt, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use sha2::Digest;

use crate::convert::{bytes, lossy};
use crate::{cipher, host};

pub(crate) fn register(native: &Object<'_>) -> Result<()> {
    native.set("ecGenerate", Func::from(ec_generate))?;
    native.set("ecPublic", Func::from(ec_public))?;
    native.set("ecPoint", Func::from(ec_point))?;
    native.set("ecSign", Func::from(ec_sign))?;
    native.set("ecVerify", Func::from(ec_verify))?;
    native.set("ecdh", Func::from(ecdh))?;
    native.set("edPublic", Func::from(ed_public))?;
    native.set("edSign", Func::from(ed_sign))?;
    native.set("edVerify", Func::from(ed_verify))?;
    native.set("x25519", Func::from(x25519))?;
    native.set("rsaGenerate", Func::from(rsa_generate))?;
    native.set("rsaCheck", Func::from(rsa_check))?;
    native.set("rsaSign", Func::from(rsa_sign))?;
    native.set("rsaVerify", Func::from(rsa_verify))?;
    native.set("rsaEncrypt", Func::from(rsa_encrypt))?;
    native.set("rsaDecrypt", Func::from(rsa_decrypt))?;
    native.set("cipherNew", Func::from(cipher::cipher_new))?;
    native.set("cipherAad", Func::from(cipher::cipher_aad))?;
    native.set("cipherPadding", Func::from(cipher::cipher_padding))?;
    native.set("cipherUpdate", Func::from(cipher::cipher_update))?;
    native.set("cipherFinal", Func::from(cipher::cipher_final))?;
    native.set("cipherFree", Func::from(cipher::cipher_free))?;
    native.set("hkdf", Func::from(hkdf))?;
    native.set("pbkdf2", Func::from(pbkdf2))?;
    native.set("scrypt", Func::from(scrypt))?;
    Ok(())
}

/// The host's CSPRNG (WASI `random_get`) as the RNG the crates take.
struct HostRng;

impl rand_core::RngCore for HostRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        host::random(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        host::random(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        host::random(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> std::result::Result<(), rand_core::Error> {
        host::random(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for HostRng {}

fn buffer<'js>(ctx: &Ctx<'js>, data: Option<Vec<u8>>) -> Result<Value<'js>> {
    match data {
        Some(data) => Ok(ArrayBuffer::new(ctx.clone(), data)?.into_value()),
        None => Ok(Value::new_undefined(ctx.clone())),
    }
}

/// Runs `$body` with `$d` the digest type named by `$name` (the prelude's
/// names: sha1, sha256, sha384, sha512); `None` for any other name. MD5 is
/// left out: each digest here is another copy of every generic caller, and
/// MD5 signatures and key derivation are long obsolete.
macro_rules! with_hash {
    ($name:expr, $d:ident => $body:expr) => {
        match $name {
            "sha1" => {
                type $d = sha1::Sha1;
                Some($body)
            }
            "sha256" => {
                type $d = sha2::Sha256;
                Some($body)
            }
            "sha384" => {
                type $d = sha2::Sha384;
                Some($body)
            }
            "sha512" => {
                type $d = sha2::Sha512;
                Some($body)
            }
            _ => None,
        }
    };
}

/// Runs `$body` with `$c` the curve crate named by `$name` ("P-256" or
/// "P-384"); `None` for any other curve.
macro_rules! with_curve {
    ($name:expr, $c:ident => $body:expr) => {
        match $name {
            "P-256" => {
                use p256 as $c;
                $body
            }
            "P-384" => {
                use p384 as $c;
                $body
            }
            _ => None,
        }
    };
}

// ---------------------------------------------------------------------------
// EC (P-256, P-384): private keys are big-endian scalars of the field size,
// public keys SEC1 points.

/// `ecGenerate(curve)`: a new private scalar.
fn ec_generate<'js>(ctx: Ctx<'js>, curve: JsString<'js>) -> Result<Value<'js>> {
    let d = with_curve!(lossy(&ctx, &curve).as_str(), c => {
        Some(c::SecretKey::random(&mut HostRng).to_bytes().to_vec())
    });
    buffer(&ctx, d)
}

/// `ecPublic(curve, d)`: the uncompressed public point of scalar `d`, or
/// `undefined` when `d` is not a valid scalar.
fn ec_public<'js>(ctx: Ctx<'js>, curve: JsString<'js>, d: ArrayBuffer<'js>) -> Result<Value<'js>> {
    let point = with_curve!(lossy(&ctx, &curve).as_str(), c => {
        c::SecretKey::from_slice(bytes(&d))
            .ok()
            .map(|k| k.public_key().to_encoded_point(false).as_bytes().to_vec())
    });
    buffer(&ctx, point)
}

/// `ecPoint(curve, point, compressed)`: the point (any SEC1 form) in the
/// form asked for, or `undefined` when it is not on the curve.
fn ec_point<'js>(
    ctx: Ctx<'js>,
    curve: JsString<'js>,
    point: ArrayBuffer<'js>,
    compressed: bool,
) -> Result<Value<'js>> {
    let point = with_curve!(lossy(&ctx, &curve).as_str(), c => {
        c::PublicKey::from_sec1_bytes(bytes(&point))
            .ok()
            .map(|k| k.to_encoded_point(compressed).as_bytes().to_vec())
    });
    buffer(&ctx, point)
}

/// `ecSign(curve, d, digest)`: an ECDSA signature `r || s` (RFC 6979
/// deterministic nonces), or `undefined` for a bad key or a digest shorter
/// than half the field.
fn ec_sign<'js>(
    ctx: Ctx<'js>,
    curve: JsString<'js>,
    d: ArrayBuffer<'js>,
    digest: ArrayBuffer<'js>,
) -> Result<Value<'js>> {
    let sig = with_curve!(lossy(&ctx, &curve).as_str(), c => {
        c::ecdsa::SigningKey::from_slice(bytes(&d)).ok().and_then(|key| {
            let sig: Option<c::ecdsa::Signature> = key.sign_prehash(bytes(&digest)).ok();
            sig.map(|s| s.to_bytes().to_vec())
        })
    });
    buffer(&ctx, sig)
}

/// `ecVerify(curve, point, digest, signature)` with the signature as
/// `r || s`.
fn ec_verify<'js>(
    ctx: Ctx<'js>,
    curve: JsString<'js>,
    point: ArrayBuffer<'js>,
    digest: ArrayBuffer<'js>,
    sig: ArrayBuffer<'js>,
) -> bool {
    let ok = with_curve!(lossy(&ctx, &curve).as_str(), c => {
        let key = c::ecdsa::VerifyingKey::from_sec1_bytes(bytes(&point)).ok();
        let sig = c::ecdsa::Signature::from_slice(bytes(&sig)).ok();
        Some(match (key, sig) {
            (Some(key), Some(sig)) => key.verify_prehash(bytes(&digest), &sig).is_ok(),
            _ => false,
        })
    });
    ok.unwrap_or(false)
}

/// `ecdh(curve, d, point)`: the shared secret's x coordinate, or
/// `undefined` when the point is not on the curve.
fn ecdh<'js>(
    ctx: Ctx<'js>,
    curve: JsString<'js>,
    d: ArrayBuffer<'js>,
    point: ArrayBuffer<'js>,
) -> Result<Value<'js>> {
    let secret = with_curve!(lossy(&ctx, &curve).as_str(), c => {
        let key = c::SecretKey::from_slice(bytes(&d)).ok();
        let peer = c::PublicKey::from_sec1_bytes(bytes(&point)).ok();
        match (key, peer) {
            (Some(key), Some(peer)) => {
                let shared = c::ecdh::diffie_hellman(key.to_nonzero_scalar(), peer.as_affine());
                Some(shared.raw_secret_bytes().to_vec())
            }
            _ => None,
        }
    });
    buffer(&ctx, secret)
}

// ---------------------------------------------------------------------------
// Ed25519 and X25519: private keys are 32-byte seeds, public keys 32 bytes.

fn key32(buffer: &ArrayBuffer<'_>) -> Option<[u8; 32]> {
    bytes(buffer).try_into().ok()
}

/// `edPublic(kind, seed)`: the public key of an `ed25519` or `x25519` seed.
fn ed_public<'js>(
    ctx: Ctx<'js>,
    kind: JsString<'js>,
    seed: ArrayBuffer<'js>,
) -> Result<Value<'js>> {
    let public = key32(&seed).and_then(|seed| match lossy(&ctx, &kind).as_str() {
        "ed25519" => Some(
            ed25519_dalek::SigningKey::from_bytes(&seed)
                .verifying_key()
                .to_bytes()
                .to_vec(),
        ),
        "x25519" => Some(
            curve25519_dalek::MontgomeryPoint::mul_base_clamped(seed)
                .to_bytes()
                .to_vec(),
        ),
        _ => None,
    });
    buffer(&ctx, public)
}

/// `edSign(seed, message)`: an Ed25519 signature.
fn ed_sign<'js>(
    ctx: Ctx<'js>,
    seed: ArrayBuffer<'js>,
    message: ArrayBuffer<'js>,
) -> Result<Value<'js>> {
    let sig = key32(&seed).map(|seed| {
        ed25519_dalek::SigningKey::from_bytes(&seed)
            .sign(bytes(&message))
            .to_bytes()
            .to_vec()
    });
    buffer(&ctx, sig)
}

/// `edVerify(publicKey, message, signature)`.
fn ed_verify(public: ArrayBuffer<'_>, message: ArrayBuffer<'_>, sig: ArrayBuffer<'_>) -> bool {
    let Some(key) = key32(&public).and_then(|k| ed25519_dalek::VerifyingKey::from_bytes(&k).ok())
    else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(bytes(&sig)) else {
        return false;
    };
    key.verify(bytes(&message), &ed25519_dalek::Signature::from_bytes(&sig))
        .is_ok()
}

/// `x25519(seed, peerPublic)`: the shared secret, or `undefined` when it
/// is all zeros (a small-order peer key), which OpenSSL refuses too.
fn x25519<'js>(
    ctx: Ctx<'js>,
    seed: ArrayBuffer<'js>,
    peer: ArrayBuffer<'js>,
) -> Result<Value<'js>> {
    let secret = key32(&seed).zip(key32(&peer)).and_then(|(seed, peer)| {
        let shared = curve25519_dalek::MontgomeryPoint(peer)
            .mul_clamped(seed)
            .to_bytes();
        (shared != [0u8; 32]).then(|| shared.to_vec())
    });
    buffer(&ctx, secret)
}

// ---------------------------------------------------------------------------
// RSA: keys cross as arrays of big-endian integers, [n, e] for public keys
// and [n, e, d, p, q] for private ones.

/// The largest public modulus accepted (OpenSSL's limit). Private keys stop
/// at 4096 bits, where the rsa crate's key check does.
const RSA_MAX_BITS: usize = 16384;

fn big_at(parts: &Array<'_>, i: usize) -> Option<BigUint> {
    let part: ArrayBuffer = parts.get(i).ok()?;
    Some(BigUint::from_bytes_be(bytes(&part)))
}

fn rsa_public_key(parts: &Array<'_>) -> Option<RsaPublicKey> {
    RsaPublicKey::new_with_max_size(big_at(parts, 0)?, big_at(parts, 1)?, RSA_MAX_BITS).ok()
}

fn rsa_private_key(parts: &Array<'_>) -> Option<RsaPrivateKey> {
    let [n, e, d, p, q] = [0, 1, 2, 3, 4].map(|i| big_at(parts, i));
    // Checks that the parts fit together (p·q = n, d·e ≡ 1).
    RsaPrivateKey::from_components(n?, e?, d?, vec![p?, q?]).ok()
}

/// `rsaGenerate(bits, e)`: a new key as [n, e, d, p, q, dp, dq, qi].
fn rsa_generate<'js>(ctx: Ctx<'js>, bits: u32, e: ArrayBuffer<'js>) -> Result<Array<'js>> {
    // Larger keys would not be usable (see rsa_private_key) and take minutes.
    if !(512..=4096).contains(&bits) {
        return Err(Exception::throw_range(
            &ctx,
            "RSA keys are 512 to 4096 bits",
        ));
    }
    let exponent = BigUint::from_bytes_be(bytes(&e));
    let key = RsaPrivateKey::new_with_exp(&mut HostRng, bits as usize, &exponent)
        .map_err(|e| Exception::throw_message(&ctx, &format!("RSA key generation failed: {e}")))?;
    let [p, q] = [&key.primes()[0], &key.primes()[1]];
    let one = BigUint::from(1u8);
    let parts = [
        key.n().clone(),
        key.e().clone(),
        key.d().clone(),
        p.clone(),
        q.clone(),
        key.d() % (p - &one),
        key.d() % (q - &one),
        key.crt_coefficient().unwrap_or_else(|| BigUint::from(0u8)),
    ];
    let out = Array::new(ctx.clone())?;
    for (i, part) in parts.iter().enumerate() {
        out.set(i, ArrayBuffer::new(ctx.clone(), part.to_bytes_be())?)?;
    }
    Ok(out)
}

/// `rsaCheck(parts)`: whether a private (5 parts) or public (2 parts) key
/// is consistent.
fn rsa_check(parts: Array<'_>) -> bool {
    if parts.len() >= 5 {
        rsa_private_key(&parts).is_some()
    } else {
        rsa_public_key(&parts).is_some()
    }
}

/// `rsaSign(privateParts, pss, hash, digest, saltLength)`: a PKCS#1 v1.5 or
/// PSS signature of `digest`, or `undefined` (key too small for the
/// digest and salt, or an inconsistent key).
fn rsa_sign<'js>(
    ctx: Ctx<'js>,
    parts: Array<'js>,
    pss: bool,
    hash: JsString<'js>,
    digest: ArrayBuffer<'js>,
    salt_len: u32,
) -> Result<Value<'js>> {
    let sig = rsa_private_key(&parts).and_then(|key| {
        let digest = bytes(&digest);
        with_hash!(lossy(&ctx, &hash).as_str(), D => {
            if pss {
                key.sign_with_rng(&mut HostRng, Pss::new_with_salt::<D>(salt_len as usize), digest)
            } else {
                key.sign_with_rng(&mut HostRng, Pkcs1v15Sign::new::<D>(), digest)
            }
        })
        .and_then(|r| r.ok())
    });
    buffer(&ctx, sig)
}

/// `rsaVerify(publicParts, pss, hash, digest, signature, saltLength)`; a
/// negative salt length accepts any (OpenSSL's `RSA_PSS_SALTLEN_AUTO`).
fn rsa_verify<'js>(
    ctx: Ctx<'js>,
    parts: Array<'js>,
    pss: bool,
    hash: JsString<'js>,
    digest: ArrayBuffer<'js>,
    sig: ArrayBuffer<'js>,
    salt_len: i32,
) -> bool {
    let Some(key) = rsa_public_key(&parts) else {
        return false;
    };
    let (digest, sig) = (bytes(&digest), bytes(&sig));
    let salt_len = usize::try_from(salt_len).ok();
    with_hash!(lossy(&ctx, &hash).as_str(), D => {
        if pss {
            pss_verify::<D>(&key, digest, sig, salt_len)
        } else {
            key.verify(Pkcs1v15Sign::new::<D>(), digest, sig).is_ok()
        }
    })
    .unwrap_or(false)
}

/// EMSA-PSS verification (RFC 8017 §9.1.2), here rather than the rsa
/// crate's because that one needs the salt length up front, and Node's
/// default for verifying is to read it from the signature.
fn pss_verify<D: Digest>(
    key: &RsaPublicKey,
    m_hash: &[u8],
    sig: &[u8],
    salt_len: Option<usize>,
) -> bool {
    let h_len = <D as Digest>::output_size();
    if sig.len() != key.size() || m_hash.len() != h_len {
        return false;
    }
    let s = BigUint::from_bytes_be(sig);
    if &s >= key.n() {
        return false;
    }
    let em_bits = key.n().bits() - 1;
    let em_len = em_bits.div_ceil(8);
    let m = s.modpow(key.e(), key.n()).to_bytes_be();
    if m.len() > em_len || em_len < h_len + 2 {
        return false;
    }
    let mut em = vec![0u8; em_len - m.len()];
    em.extend_from_slice(&m);
    if em[em_len - 1] != 0xbc {
        return false;
    }
    let (db, rest) = em.split_at_mut(em_len - h_len - 1);
    let h = &rest[..h_len];
    let top_mask = 0xffu8 >> (8 * em_len - em_bits);
    if db[0] & !top_mask != 0 {
        return false;
    }
    mgf1_xor::<D>(db, h);
    db[0] &= top_mask;
    let Some(start) = db.iter().position(|&b| b != 0) else {
        return false;
    };
    let salt = &db[start + 1..];
    if db[start] != 1 || salt_len.is_some_and(|len| len != salt.len()) {
        return false;
    }
    let mut hasher = D::new();
    hasher.update([0u8; 8]);
    hasher.update(m_hash);
    hasher.update(salt);
    hasher.finalize().as_slice() == h
}

/// XORs `out` with MGF1(seed) (RFC 8017 §B.2.1).
fn mgf1_xor<D: Digest>(out: &mut [u8], seed: &[u8]) {
    for (counter, chunk) in out.chunks_mut(<D as Digest>::output_size()).enumerate() {
        let mut hasher = D::new();
        hasher.update(seed);
        hasher.update((counter as u32).to_be_bytes());
        for (o, m) in chunk.iter_mut().zip(hasher.finalize()) {
            *o ^= m;
        }
    }
}

/// The OAEP padding for `hash` with `label` (the rsa crate takes labels as
/// text: others are refused).
fn oaep(hash: &str, label: &[u8]) -> Option<Oaep> {
    let mut padding = with_hash!(hash, D => Oaep::new::<D>())?;
    if !label.is_empty() {
        padding.label = Some(String::from_utf8(label.to_vec()).ok()?);
    }
    Some(padding)
}

/// `rsaEncrypt(publicParts, oaep, hash, label, data)`: the ciphertext, or
/// `undefined` when `data` is too long for the key.
fn rsa_encrypt<'js>(
    ctx: Ctx<'js>,
    parts: Array<'js>,
    use_oaep: bool,
    hash: JsString<'js>,
    label: ArrayBuffer<'js>,
    data: ArrayBuffer<'js>,
) -> Result<Value<'js>> {
    let out = rsa_public_key(&parts).and_then(|key| {
        let data = bytes(&data);
        if use_oaep {
            let padding = oaep(&lossy(&ctx, &hash), bytes(&label))?;
            key.encrypt(&mut HostRng, padding, data).ok()
        } else {
            key.encrypt(&mut HostRng, Pkcs1v15Encrypt, data).ok()
        }
    });
    buffer(&ctx, out)
}

/// `rsaDecrypt(privateParts, oaep, hash, label, data)`: the plaintext, or
/// `undefined` when decryption fails.
fn rsa_decrypt<'js>(
    ctx: Ctx<'js>,
    parts: Array<'js>,
    use_oaep: bool,
    hash: JsString<'js>,
    label: ArrayBuffer<'js>,
    data: ArrayBuffer<'js>,
) -> Result<Value<'js>> {
    let out = rsa_private_key(&parts).and_then(|key| {
        let data = bytes(&data);
        if use_oaep {
            let padding = oaep(&lossy(&ctx, &hash), bytes(&label))?;
            key.decrypt_blinded(&mut HostRng, padding, data).ok()
        } else {
            key.decrypt_blinded(&mut HostRng, Pkcs1v15Encrypt, data)
                .ok()
        }
    });
    buffer(&ctx, out)
}

// ---------------------------------------------------------------------------
// Key derivation.

/// `hkdf(hash, ikm, salt, info, length)`, or `undefined` when `length` is
/// over 255 hash lengths.
fn hkdf<'js>(
    ctx: Ctx<'js>,
    hash: JsString<'js>,
    ikm: ArrayBuffer<'js>,
    salt: ArrayBuffer<'js>,
    info: ArrayBuffer<'js>,
    len: u32,
) -> Result<Value<'js>> {
    let mut okm = vec![0u8; len as usize];
    let ok = with_hash!(lossy(&ctx, &hash).as_str(), D => {
        hkdf::Hkdf::<D>::new(Some(bytes(&salt)), bytes(&ikm))
            .expand(bytes(&info), &mut okm)
            .is_ok()
    });
    buffer(&ctx, (ok == Some(true)).then_some(okm))
}

/// `pbkdf2(hash, password, salt, iterations, length)`.
fn pbkdf2<'js>(
    ctx: Ctx<'js>,
    hash: JsString<'js>,
    password: ArrayBuffer<'js>,
    salt: ArrayBuffer<'js>,
    iterations: u32,
    len: u32,
) -> Result<Value<'js>> {
    let mut out = vec![0u8; len as usize];
    let done = with_hash!(lossy(&ctx, &hash).as_str(), D => {
        pbkdf2::pbkdf2_hmac::<D>(bytes(&password), bytes(&salt), iterations, &mut out)
    });
    buffer(&ctx, done.map(|()| out))
}

/// `scrypt(password, salt, log2N, r, p, length)`, or `undefined` for
/// parameters scrypt refuses.
fn scrypt<'js>(
    ctx: Ctx<'js>,
    password: ArrayBuffer<'js>,
    salt: ArrayBuffer<'js>,
    log_n: u32,
    r: u32,
    p: u32,
    len: u32,
) -> Result<Value<'js>> {
    // Params' own length is only for its password-hash strings; any valid
    // one will do, the output buffer sets the real length.
    let params = u8::try_from(log_n)
        .ok()
        .and_then(|log_n| scrypt::Params::new(log_n, r, p, 32).ok());
    let out = params.and_then(|params| {
        let mut out = vec![0u8; len as usize];
        scrypt::scrypt(bytes(&password), bytes(&salt), &params, &mut out)
            .ok()
            .map(|()| out)
    });
    buffer(&ctx, out)
}
