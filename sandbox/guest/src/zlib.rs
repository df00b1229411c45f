//! Native codecs behind the prelude's `zlib` module: deflate, zlib and gzip
//! (miniz_oxide, through flate2) and brotli, each a streaming state kept in
//! a handle table while its JS stream or sync call uses it.
//!
//! Errors carry zlib's codes and messages (`Z_DATA_ERROR` "incorrect
//! header check", `Z_BUF_ERROR` "unexpected end of file") as Node reports
//! them.

use std::cell::RefCell;
use std::io::Write;

use flate2::{Compress, Compression, Crc, Decompress, FlushCompress, FlushDecompress, Status};

use crate::handles::Handles;

/// The wire formats of the deflate family.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Raw,
    Zlib,
    Gzip,
    /// Decompression only: gzip or zlib, by the first bytes (`unzip`).
    Auto,
}

/// A zlib error as Node reports it: message, `code` and `errno`.
pub(crate) struct ZError {
    pub(crate) message: &'static str,
    pub(crate) code: &'static str,
    pub(crate) errno: i32,
}

const fn data_error(message: &'static str) -> ZError {
    ZError {
        message,
        code: "Z_DATA_ERROR",
        errno: -3,
    }
}
const UNEXPECTED_END: ZError = ZError {
    message: "unexpected end of file",
    code: "Z_BUF_ERROR",
    errno: -5,
};
const BROTLI_FAILED: ZError = ZError {
    message: "Decompression failed",
    code: "ERR__ERROR_FORMAT_PADDING_1",
    errno: -14,
};
const BROTLI_UNEXPECTED_END: ZError = ZError {
    message: "unexpected end of file",
    code: "Z_BUF_ERROR",
    errno: -5,
};

/// Flush modes the JS side passes (zlib's numbering).
pub(crate) const Z_NO_FLUSH: u32 = 0;
pub(crate) const Z_FINISH: u32 = 4;

enum Codec {
    Deflate(Deflater),
    Inflate(Inflater),
    BrotliEncode(Box<brotli::CompressorWriter<Vec<u8>>>),
    BrotliDecode(Box<brotli::DecompressorWriter<Vec<u8>>>),
}

thread_local! {
    static CODECS: RefCell<Handles<Codec>> = const { RefCell::new(Handles::new()) };
}

fn insert(codec: Codec) -> u32 {
    CODECS.with(|codecs| codecs.borrow_mut().insert(codec))
}

/// A new deflate-family compressor; returns its handle. (miniz_oxide
/// always uses a 32 KiB window, which every decoder accepts.)
pub(crate) fn new_deflate(format: Format, level: i32) -> u32 {
    let level = if (0..=9).contains(&level) {
        level as u32
    } else {
        6
    };
    let compress = Compress::new(Compression::new(level), format == Format::Zlib);
    insert(Codec::Deflate(Deflater {
        z: compress,
        format,
        header_written: false,
        crc: Crc::new(),
        level,
    }))
}

/// A new deflate-family decompressor; returns its handle.
pub(crate) fn new_inflate(format: Format) -> u32 {
    insert(Codec::Inflate(Inflater::new(format)))
}

/// A new brotli compressor (quality 0–11, window 10–24 bits).
pub(crate) fn new_brotli_encode(quality: u32, lgwin: u32) -> u32 {
    let writer =
        brotli::CompressorWriter::new(Vec::new(), 4096, quality.min(11), lgwin.clamp(10, 24));
    insert(Codec::BrotliEncode(Box::new(writer)))
}

/// A new brotli decompressor.
pub(crate) fn new_brotli_decode() -> u32 {
    insert(Codec::BrotliDecode(Box::new(
        brotli::DecompressorWriter::new(Vec::new(), 4096),
    )))
}

/// Feeds `input` to codec `handle` with zlib flush mode `flush`; returns
/// the output so far. With `Z_FINISH` the stream ends (its handle stays
/// until [`free`]).
pub(crate) fn write(handle: u32, input: &[u8], flush: u32) -> Result<Vec<u8>, ZError> {
    CODECS.with(|codecs| {
        let mut codecs = codecs.borrow_mut();
        let Some(codec) = codecs.get_mut(handle) else {
            return Err(ZError {
                message: "zlib binding closed",
                code: "ERR_ZLIB_BINDING_CLOSED",
                errno: 0,
            });
        };
        match codec {
            Codec::Deflate(d) => Ok(d.write(input, flush)),
            Codec::Inflate(i) => i.write(input, flush == Z_FINISH),
            Codec::BrotliEncode(w) => {
                let taken = (|| {
                    w.write_all(input)?;
                    if flush == Z_FINISH {
                        let done = std::mem::replace(
                            w,
                            Box::new(brotli::CompressorWriter::new(Vec::new(), 4096, 0, 10)),
                        );
                        return Ok(done.into_inner());
                    }
                    if flush != Z_NO_FLUSH {
                        w.flush()?;
                    }
                    Ok::<_, std::io::Error>(std::mem::take(w.get_mut()))
                })();
                taken.map_err(|_| BROTLI_FAILED)
            }
            Codec::BrotliDecode(w) => {
                w.write_all(input).map_err(|_| BROTLI_FAILED)?;
                if flush == Z_FINISH {
                    let done = std::mem::replace(
                        w,
                        Box::new(brotli::DecompressorWriter::new(Vec::new(), 4096)),
                    );
                    return done.into_inner().map_err(|_| BROTLI_UNEXPECTED_END);
                }
                Ok(std::mem::take(w.get_mut()))
            }
        }
    })
}

/// Drops codec `handle`.
pub(crate) fn free(handle: u32) {
    CODECS.with(|codecs| drop(codecs.borrow_mut().take(handle)))
}

struct Deflater {
    z: Compress,
    format: Format,
    header_written: bool,
    crc: Crc,
    level: u32,
}

impl Deflater {
    fn write(&mut self, input: &[u8], flush: u32) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() / 2 + 64);
        if self.format == Format::Gzip && !self.header_written {
            // RFC 1952 header: no name or time, OS "unknown" as Node writes.
            let xfl = match self.level {
                9 => 2,
                1 => 4,
                _ => 0,
            };
            out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3]);
            self.header_written = true;
        }
        if self.format == Format::Gzip {
            self.crc.update(input);
        }
        let mode = match flush {
            Z_FINISH => FlushCompress::Finish,
            1 => FlushCompress::Partial,
            2 => FlushCompress::Sync,
            3 => FlushCompress::Full,
            _ => FlushCompress::None,
        };
        let mut rest = input;
        loop {
            if out.capacity() - out.len() < 1024 {
                out.reserve(out.capacity().max(4096));
            }
            let before = self.z.total_in();
            let status = self.z.compress_vec(rest, &mut out, mode);
            let used = (self.z.total_in() - before) as usize;
            rest = &rest[used..];
            match status {
                Ok(Status::StreamEnd) => break,
                Ok(_)
                    if rest.is_empty()
                        && out.len() < out.capacity()
                        && mode != FlushCompress::Finish =>
                {
                    break;
                }
                Ok(Status::BufError) if rest.is_empty() => break,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        if flush == Z_FINISH && self.format == Format::Gzip {
            out.extend_from_slice(&self.crc.sum().to_le_bytes());
            out.extend_from_slice(&self.crc.amount().to_le_bytes());
        }
        out
    }
}

/// Where a gzip member's decoding is.
enum GzipStage {
    Header(Vec<u8>),
    Body,
    Trailer(Vec<u8>),
    Done,
}

struct Inflater {
    z: Decompress,
    format: Format,
    gzip: GzipStage,
    crc: Crc,
    ended: bool,
    /// Bytes after the deflate stream's end (the gzip trailer).
    leftover: Option<Vec<u8>>,
}

impl Inflater {
    fn new(format: Format) -> Inflater {
        Inflater {
            z: Decompress::new(format == Format::Zlib),
            format,
            gzip: GzipStage::Header(Vec::new()),
            crc: Crc::new(),
            ended: false,
            leftover: None,
        }
    }

    fn write(&mut self, input: &[u8], finish: bool) -> Result<Vec<u8>, ZError> {
        if self.format == Format::Auto {
            if input.is_empty() {
                return if finish {
                    Err(UNEXPECTED_END)
                } else {
                    Ok(Vec::new())
                };
            }
            let gzip = input[0] == 0x1f;
            *self = Inflater::new(if gzip { Format::Gzip } else { Format::Zlib });
        }
        let mut out = Vec::new();
        if self.format == Format::Gzip {
            let mut pending = input.to_vec();
            loop {
                match self.gzip {
                    GzipStage::Header(ref mut buf) => {
                        buf.append(&mut pending);
                        let Some(len) = gzip_header_len(buf)? else {
                            break;
                        };
                        pending = buf.split_off(len);
                        self.gzip = GzipStage::Body;
                    }
                    GzipStage::Body => {
                        out.append(&mut self.inflate(&pending)?);
                        if !self.ended {
                            break;
                        }
                        pending = self.leftover.take().unwrap_or_default();
                        self.gzip = GzipStage::Trailer(Vec::new());
                    }
                    GzipStage::Trailer(ref mut buf) => {
                        buf.append(&mut pending);
                        if buf.len() < 8 {
                            break;
                        }
                        let crc = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
                        let size = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
                        if crc != self.crc.sum() || size != self.crc.amount() {
                            return Err(data_error("incorrect data check"));
                        }
                        self.gzip = GzipStage::Done;
                    }
                    GzipStage::Done => break,
                }
            }
        } else {
            out = self.inflate(input)?;
        }
        if finish {
            let complete = match self.format {
                Format::Gzip => matches!(self.gzip, GzipStage::Done),
                _ => self.ended,
            };
            if !complete {
                return Err(UNEXPECTED_END);
            }
        }
        Ok(out)
    }
}

impl Inflater {
    /// Inflates `input` until it is used up or the deflate stream ends;
    /// bytes after the end are kept for the gzip trailer.
    fn inflate(&mut self, mut input: &[u8]) -> Result<Vec<u8>, ZError> {
        // zlib's own check of the two-byte header (method 8, FCHECK), so a
        // non-zlib input fails as it does in zlib.
        if self.format == Format::Zlib && self.z.total_in() == 0 && input.len() >= 2 {
            let (cmf, flg) = (u16::from(input[0]), u16::from(input[1]));
            if cmf & 0x0f != 8 || (cmf << 8 | flg) % 31 != 0 {
                return Err(data_error("incorrect header check"));
            }
        }
        let mut out = Vec::with_capacity(input.len().saturating_mul(3).max(1024));
        while !self.ended {
            if out.capacity() - out.len() < 1024 {
                out.reserve(out.capacity().max(4096));
            }
            let before = self.z.total_in();
            let status = self
                .z
                .decompress_vec(input, &mut out, FlushDecompress::None)
                .map_err(|_| data_error("invalid block type"))?;
            let used = (self.z.total_in() - before) as usize;
            input = &input[used..];
            match status {
                Status::StreamEnd => self.ended = true,
                _ if input.is_empty() && out.len() < out.capacity() => break,
                Status::BufError if input.is_empty() => break,
                _ => {}
            }
        }
        if self.format == Format::Gzip {
            self.crc.update(&out);
            if self.ended && !input.is_empty() {
                self.leftover = Some(input.to_vec());
            }
        }
        Ok(out)
    }
}

/// The length of a complete gzip header at the start of `buf`, `None` while
/// more bytes are needed.
fn gzip_header_len(buf: &[u8]) -> Result<Option<usize>, ZError> {
    if buf.len() >= 2 && (buf[0] != 0x1f || buf[1] != 0x8b) || buf.len() >= 3 && buf[2] != 8 {
        return Err(data_error("incorrect header check"));
    }
    if buf.len() < 10 {
        return Ok(None);
    }
    let flags = buf[3];
    let mut at = 10;
    if flags & 0x04 != 0 {
        if buf.len() < at + 2 {
            return Ok(None);
        }
        at += 2 + u16::from_le_bytes([buf[at], buf[at + 1]]) as usize;
    }
    for bit in [0x08, 0x10] {
        if flags & bit != 0 {
            match buf
                .get(at..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
            {
                Some(nul) => at += nul + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    Ok((buf.len() >= at).then_some(at))
}
