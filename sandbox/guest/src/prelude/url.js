// WHATWG URL and URLSearchParams (https://url.spec.whatwg.org/), a direct
// transcription of the spec's basic URL parser state machine.
//
// Deliberate deviations, chosen to match Node 20 (the reference the tests use):
// - '^' is not percent-encoded in paths, and spaces in opaque paths are kept
//   as-is (the 2024 spec changes; Node 20 predates them).
// - IDNA is reduced to lowercasing, NFKC, the dot variants, dropping the
//   characters UTS #46 ignores, and punycode; the full UTS #46 tables
//   (disallowed code points, bidi and joiner rules) are not applied.
(function (native, internal) {
  'use strict';

  const EOF = -1;
  const SPECIAL = Object.assign(Object.create(null),
    { ftp: 21, file: null, http: 80, https: 443, ws: 80, wss: 443 });
  const isSpecialScheme = (scheme) => scheme in SPECIAL;
  const isSpecial = (url) => url.scheme in SPECIAL;

  // Parser states.
  const SCHEME_START = 1, SCHEME = 2, NO_SCHEME = 3, SPECIAL_RELATIVE_OR_AUTHORITY = 4,
    PATH_OR_AUTHORITY = 5, RELATIVE = 6, RELATIVE_SLASH = 7, SPECIAL_AUTHORITY_SLASHES = 8,
    SPECIAL_AUTHORITY_IGNORE_SLASHES = 9, AUTHORITY = 10, HOST = 11, HOSTNAME = 12, PORT = 13,
    FILE = 14, FILE_SLASH = 15, FILE_HOST = 16, PATH_START = 17, PATH = 18, OPAQUE_PATH = 19,
    QUERY = 20, FRAGMENT = 21;

  const isAlpha = (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  const isDigit = (c) => c >= 0x30 && c <= 0x39;
  const isHex = (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

  // Percent-encode sets: one bit per set for each ASCII code point; every
  // set contains the C0 controls and all non-ASCII code points. Three more
  // bits mark the code points that end a run of plain text in some states.
  const C0_SET = 1, FRAGMENT_SET = 2, QUERY_SET = 4, SPECIAL_QUERY_SET = 8, PATH_SET = 16,
    USERINFO_SET = 32, FORM_SET = 64, PATH_END = 128, HOST_END = 256, AUTHORITY_END = 512;
  const SETS = new Uint16Array(128);
  for (let c = 0; c < 128; c++) if (c < 0x20 || c === 0x7f) SETS[c] = 127;
  const addToSets = (chars, bits) => { for (const ch of chars) SETS[ch.charCodeAt(0)] |= bits; };
  addToSets(' "<>', FRAGMENT_SET | QUERY_SET | SPECIAL_QUERY_SET | PATH_SET | USERINFO_SET | FORM_SET);
  addToSets('`', FRAGMENT_SET | PATH_SET | USERINFO_SET | FORM_SET);
  addToSets('#', QUERY_SET | SPECIAL_QUERY_SET | PATH_SET | USERINFO_SET | FORM_SET);
  addToSets("'", SPECIAL_QUERY_SET | FORM_SET);
  addToSets('?{}', PATH_SET | USERINFO_SET | FORM_SET);
  addToSets('/:;=@[\\]^|', USERINFO_SET | FORM_SET);
  addToSets('$%&+,!()~', FORM_SET);
  addToSets('/\\', PATH_END);
  addToSets(':/?#\\[]', HOST_END);
  addToSets('@/?#\\', AUTHORITY_END);
  const inSet = (c, set) => c >= 0x80 || (SETS[c] & set) !== 0;

  // Regular URLs are mostly plain ASCII: states that just accumulate code points
  // copy the run up to the next one that needs attention in one step.
  function plainRun(cps, p, mask) {
    let q = p;
    while (q < cps.length && q - p < 4096 && cps[q] < 0x80 && (SETS[cps[q]] & mask) === 0) q++;
    return q;
  }
  const runText = (cps, p, q) => String.fromCharCode.apply(null, cps.slice(p, q));
  const HEX = Array.from({ length: 256 }, (_, i) => '%' + (i < 16 ? '0' : '') + i.toString(16).toUpperCase());

  function utf8Bytes(c, out) {
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    return out;
  }

  function utf8Encode(str) {
    const out = [];
    for (const ch of str) {
      const c = ch.codePointAt(0);
      utf8Bytes(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c, out);
    }
    return out;
  }

  // WHATWG "UTF-8 decode without BOM": invalid sequences become U+FFFD.
  function utf8Decode(bytes) {
    let out = '', cp = 0, needed = 0, seen = 0, lower = 0x80, upper = 0xbf;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (needed === 0) {
        if (b < 0x80) out += String.fromCharCode(b);
        else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
          needed = 2; cp = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
          needed = 3; cp = b & 7;
        } else out += '\ufffd';
        continue;
      }
      if (b < lower || b > upper) {
        cp = needed = seen = 0; lower = 0x80; upper = 0xbf;
        out += '\ufffd';
        i--;
        continue;
      }
      lower = 0x80; upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen === needed) {
        out += String.fromCodePoint(cp);
        cp = needed = seen = 0;
      }
    }
    return needed ? out + '\ufffd' : out;
  }

  function percentDecode(str) {
    const bytes = utf8Encode(str), out = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
        out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
        i += 2;
      } else {
        out.push(b);
      }
    }
    return out;
  }

  function encodeCP(c, set) {
    if (!inSet(c, set)) return String.fromCodePoint(c);
    if (c < 0x80) return HEX[c];
    let out = '';
    for (const b of utf8Bytes(c, [])) out += HEX[b];
    return out;
  }

  function encodeStr(str, set) {
    let out = '';
    for (const ch of str) out += encodeCP(ch.codePointAt(0), set);
    return out;
  }

  const toUSV = typeof String.prototype.toWellFormed === 'function'
    ? (v) => `${v}`.toWellFormed()
    : (v) => `${v}`.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

  // ---- hosts ----------------------------------------------------------------

  function parseIPv4Number(s) {
    if (s === '') return null;
    let radix = 10;
    if (s.length >= 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X')) { s = s.slice(2); radix = 16; }
    else if (s.length >= 2 && s[0] === '0') { s = s.slice(1); radix = 8; }
    if (s === '') return 0;
    const re = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
    return re.test(s) ? parseInt(s, radix) : null;
  }

  function endsInNumber(s) {
    const parts = s.split('.');
    if (parts[parts.length - 1] === '') {
      if (parts.length === 1) return false;
      parts.pop();
    }
    const last = parts[parts.length - 1];
    if (!isDigit(last.charCodeAt(0))) return false; // every IPv4 number starts with a digit
    return /^[0-9]+$/.test(last) || parseIPv4Number(last) !== null;
  }

  function parseIPv4(s) {
    const parts = s.split('.');
    if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
    if (parts.length > 4) return null;
    const nums = [];
    for (const part of parts) {
      const n = parseIPv4Number(part);
      if (n === null) return null;
      nums.push(n);
    }
    const last = nums.pop();
    if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return null;
    let ip = last;
    nums.forEach((n, i) => { ip += n * 256 ** (3 - i); });
    return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
  }

  function parseIPv6(s) {
    const a = [0, 0, 0, 0, 0, 0, 0, 0];
    let piece = 0, compress = null, p = 0;
    const at = (i) => (i < s.length ? s.charCodeAt(i) : EOF);
    if (at(0) === 0x3a) {
      if (at(1) !== 0x3a) return null;
      p = 2;
      compress = ++piece;
    }
    while (at(p) !== EOF) {
      if (piece === 8) return null;
      if (at(p) === 0x3a) {
        if (compress !== null) return null;
        p++;
        compress = ++piece;
        continue;
      }
      let value = 0, length = 0;
      while (length < 4 && isHex(at(p))) {
        value = value * 16 + parseInt(s[p], 16);
        p++;
        length++;
      }
      if (at(p) === 0x2e) {
        if (length === 0) return null;
        p -= length;
        if (piece > 6) return null;
        let numbersSeen = 0;
        while (at(p) !== EOF) {
          let v4 = null;
          if (numbersSeen > 0) {
            if (at(p) === 0x2e && numbersSeen < 4) p++;
            else return null;
          }
          if (!isDigit(at(p))) return null;
          while (isDigit(at(p))) {
            const n = at(p) - 0x30;
            if (v4 === null) v4 = n;
            else if (v4 === 0) return null;
            else v4 = v4 * 10 + n;
            if (v4 > 255) return null;
            p++;
          }
          a[piece] = a[piece] * 0x100 + v4;
          numbersSeen++;
          if (numbersSeen === 2 || numbersSeen === 4) piece++;
        }
        if (numbersSeen !== 4) return null;
        break;
      } else if (at(p) === 0x3a) {
        p++;
        if (at(p) === EOF) return null;
      } else if (at(p) !== EOF) {
        return null;
      }
      a[piece++] = value;
    }
    if (compress !== null) {
      let swaps = piece - compress;
      piece = 7;
      while (piece !== 0 && swaps > 0) {
        const t = a[piece];
        a[piece] = a[compress + swaps - 1];
        a[compress + swaps - 1] = t;
        piece--;
        swaps--;
      }
    } else if (piece !== 8) {
      return null;
    }
    return a;
  }

  function serializeIPv6(a) {
    let best = -1, bestLen = 1;
    for (let i = 0; i < 8;) {
      if (a[i] !== 0) { i++; continue; }
      let j = i;
      while (j < 8 && a[j] === 0) j++;
      if (j - i > bestLen) { best = i; bestLen = j - i; }
      i = j;
    }
    let out = '';
    for (let i = 0; i < 8; i++) {
      if (i === best) {
        out += i === 0 ? '::' : ':';
        i += bestLen - 1;
        continue;
      }
      out += a[i].toString(16);
      if (i !== 7) out += ':';
    }
    return out;
  }

  // Punycode (RFC 3492).
  const punyDigit = (d) => String.fromCharCode(d < 26 ? d + 97 : d + 22);
  function punyAdapt(delta, numPoints, first) {
    delta = first ? Math.floor(delta / 700) : delta >> 1;
    delta += Math.floor(delta / numPoints);
    let k = 0;
    for (; delta > 455; k += 36) delta = Math.floor(delta / 35);
    return k + Math.floor((36 * delta) / (delta + 38));
  }

  function punyEncode(str) {
    const cps = Array.from(str, (ch) => ch.codePointAt(0));
    let out = '';
    for (const c of cps) if (c < 0x80) out += String.fromCharCode(c);
    const basic = out.length;
    let h = basic, n = 128, delta = 0, bias = 72;
    if (basic > 0) out += '-';
    while (h < cps.length) {
      let m = Infinity;
      for (const c of cps) if (c >= n && c < m) m = c;
      delta += (m - n) * (h + 1);
      n = m;
      for (const c of cps) {
        if (c < n) delta++;
        if (c !== n) continue;
        let q = delta;
        for (let k = 36; ; k += 36) {
          const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
          if (q < t) break;
          out += punyDigit(t + ((q - t) % (36 - t)));
          q = Math.floor((q - t) / (36 - t));
        }
        out += punyDigit(q);
        bias = punyAdapt(delta, h + 1, h === basic);
        delta = 0;
        h++;
      }
      delta++;
      n++;
    }
    return out;
  }

  function punyDecode(str) {
    const out = [];
    let i = 0, n = 128, bias = 72;
    const dash = str.lastIndexOf('-');
    for (let j = 0; j < dash; j++) {
      if (str.charCodeAt(j) >= 0x80) return null;
      out.push(str.charCodeAt(j));
    }
    for (let idx = dash > 0 ? dash + 1 : 0; idx < str.length;) {
      const oldi = i;
      for (let w = 1, k = 36; ; k += 36) {
        if (idx >= str.length) return null;
        const c = str.charCodeAt(idx++);
        const d = c >= 0x30 && c <= 0x39 ? c - 22 : c >= 0x41 && c <= 0x5a ? c - 0x41
          : c >= 0x61 && c <= 0x7a ? c - 0x61 : 36;
        if (d >= 36) return null;
        i += d * w;
        const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
        if (d < t) break;
        w *= 36 - t;
        if (i > 0x7fffffff) return null;
      }
      bias = punyAdapt(i - oldi, out.length + 1, oldi === 0);
      n += Math.floor(i / (out.length + 1));
      i %= out.length + 1;
      if (n > 0x10ffff) return null;
      out.splice(i++, 0, n);
    }
    return String.fromCodePoint(...out);
  }

  // Simplified UTS #46 ToASCII (see the deviations note at the top).
  const DISALLOWED = /[\ufffd\u0080-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]|\p{Noncharacter_Code_Point}/u;
  const mapDomain = (s) => s.replace(/[\u00ad\u034f\u180b-\u180f\u200b\u2060\u2064\ufe00-\ufe0f\ufeff]/g, '')
    .normalize('NFKC').toLowerCase().normalize('NFC').replace(/[\u3002\uff0e\uff61]/g, '.');

  function domainToASCII(domain) {
    let s = domain.toLowerCase();
    if (/[^\x00-\x7f]/.test(s)) {
      s = mapDomain(domain);
      if (DISALLOWED.test(s)) return null;
    }
    const labels = s.split('.');
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (/[^\x00-\x7f]/.test(label)) {
        labels[i] = 'xn--' + punyEncode(label);
      } else if (label.startsWith('xn--')) {
        // An A-label must decode to a label that mapping leaves unchanged.
        const decoded = punyDecode(label.slice(4));
        if (!decoded || DISALLOWED.test(decoded) || mapDomain(decoded) !== decoded) return null;
      }
    }
    return labels.join('.');
  }

  const FORBIDDEN_HOST = /[\x00\t\n\r #/:<>?@[\\\]^|]/;
  const FORBIDDEN_DOMAIN = /[\x00-\x20#%/:<>?@[\\\]^|\x7f]/;

  // Returns the serialized host, or null on failure.
  function parseHost(input, opaque) {
    if (input[0] === '[') {
      if (input[input.length - 1] !== ']') return null;
      const address = parseIPv6(input.slice(1, -1));
      return address && `[${serializeIPv6(address)}]`;
    }
    if (opaque) return FORBIDDEN_HOST.test(input) ? null : encodeStr(input, C0_SET);
    const ascii = domainToASCII(input.includes('%') ? utf8Decode(percentDecode(input)) : input);
    if (!ascii || FORBIDDEN_DOMAIN.test(ascii)) return null;
    return endsInNumber(ascii) ? parseIPv4(ascii) : ascii;
  }

  // ---- the basic URL parser ---------------------------------------------------

  const isDriveLetter = (s) => s.length === 2 && isAlpha(s.charCodeAt(0)) && (s[1] === ':' || s[1] === '|');
  const isNormalizedDrive = (s) => s !== undefined && isDriveLetter(s) && s[1] === ':';
  function startsWithDriveLetter(cps, p) {
    if (cps.length - p < 2 || !isAlpha(cps[p]) || (cps[p + 1] !== 0x3a && cps[p + 1] !== 0x7c)) return false;
    if (cps.length - p === 2) return true;
    const c = cps[p + 2];
    return c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23;
  }
  const isSingleDot = (s) => s === '.' || s.toLowerCase() === '%2e';
  const isDoubleDot = (s) => {
    s = s.toLowerCase();
    return s === '..' || s === '.%2e' || s === '%2e.' || s === '%2e%2e';
  };

  function shortenPath(url) {
    if (url.scheme === 'file' && url.path.length === 1 && isNormalizedDrive(url.path[0])) return;
    url.path.pop();
  }

  const hasCredentials = (url) => url.username !== '' || url.password !== '';

  // Returns the URL record, or null on failure. With `override` (the setters),
  // `url` is modified in place and the result only signals failure.
  function parse(input, base, url, override) {
    if (!url) {
      url = { scheme: '', username: '', password: '', host: null, port: null, path: [], query: null, fragment: null };
      input = input.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
    }
    input = input.replace(/[\t\n\r]/g, '');
    const cps = Array.from(input, (ch) => ch.codePointAt(0));
    const len = cps.length;
    let state = override || SCHEME_START;
    let buffer = '', atSignSeen = false, insideBrackets = false, passwordTokenSeen = false;

    for (let p = 0; ; p++) {
      const c = p < len ? cps[p] : EOF;
      switch (state) {
        case SCHEME_START:
          if (isAlpha(c)) {
            buffer += String.fromCharCode(c | 0x20);
            state = SCHEME;
          } else if (!override) {
            state = NO_SCHEME;
            p--;
          } else return null;
          break;

        case SCHEME:
          if (isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) {
            buffer += String.fromCharCode(c).toLowerCase();
          } else if (c === 0x3a) {
            if (override) {
              if (isSpecial(url) !== isSpecialScheme(buffer)) return url;
              if ((hasCredentials(url) || url.port !== null) && buffer === 'file') return url;
              if (url.scheme === 'file' && url.host === '') return url;
            }
            url.scheme = buffer;
            if (override) {
              if (url.port === SPECIAL[url.scheme]) url.port = null;
              return url;
            }
            buffer = '';
            if (url.scheme === 'file') state = FILE;
            else if (isSpecial(url) && base && base.scheme === url.scheme) state = SPECIAL_RELATIVE_OR_AUTHORITY;
            else if (isSpecial(url)) state = SPECIAL_AUTHORITY_SLASHES;
            else if (cps[p + 1] === 0x2f) {
              state = PATH_OR_AUTHORITY;
              p++;
            } else {
              url.path = '';
              state = OPAQUE_PATH;
            }
          } else if (!override) {
            buffer = '';
            state = NO_SCHEME;
            p = -1;
          } else return null;
          break;

        case NO_SCHEME:
          if (!base || (typeof base.path === 'string' && c !== 0x23)) return null;
          if (typeof base.path === 'string') {
            url.scheme = base.scheme;
            url.path = base.path;
            url.query = base.query;
            url.fragment = '';
            state = FRAGMENT;
          } else {
            state = base.scheme === 'file' ? FILE : RELATIVE;
            p--;
          }
          break;

        case SPECIAL_RELATIVE_OR_AUTHORITY:
          if (c === 0x2f && cps[p + 1] === 0x2f) {
            state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
            p++;
          } else {
            state = RELATIVE;
            p--;
          }
          break;

        case PATH_OR_AUTHORITY:
          if (c === 0x2f) state = AUTHORITY;
          else {
            state = PATH;
            p--;
          }
          break;

        case RELATIVE:
          url.scheme = base.scheme;
          if (c === 0x2f || (c === 0x5c && isSpecial(url))) state = RELATIVE_SLASH;
          else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            url.path = base.path.slice();
            url.query = base.query;
            if (c === 0x3f) {
              url.query = '';
              state = QUERY;
            } else if (c === 0x23) {
              url.fragment = '';
              state = FRAGMENT;
            } else if (c !== EOF) {
              url.query = null;
              shortenPath(url);
              state = PATH;
              p--;
            }
          }
          break;

        case RELATIVE_SLASH:
          if (isSpecial(url) && (c === 0x2f || c === 0x5c)) state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          else if (c === 0x2f) state = AUTHORITY;
          else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            state = PATH;
            p--;
          }
          break;

        case SPECIAL_AUTHORITY_SLASHES:
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          if (c === 0x2f && cps[p + 1] === 0x2f) p++;
          else p--;
          break;

        case SPECIAL_AUTHORITY_IGNORE_SLASHES:
          if (c !== 0x2f && c !== 0x5c) {
            state = AUTHORITY;
            p--;
          }
          break;

        case AUTHORITY:
          if (c === 0x40) {
            if (atSignSeen) buffer = '%40' + buffer;
            atSignSeen = true;
            for (const ch of buffer) {
              if (ch === ':' && !passwordTokenSeen) {
                passwordTokenSeen = true;
                continue;
              }
              const encoded = encodeCP(ch.codePointAt(0), USERINFO_SET);
              if (passwordTokenSeen) url.password += encoded;
              else url.username += encoded;
            }
            buffer = '';
          } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (c === 0x5c && isSpecial(url))) {
            if (atSignSeen && buffer === '') return null;
            p -= Array.from(buffer).length + 1;
            buffer = '';
            state = HOST;
          } else {
            const q = plainRun(cps, p, AUTHORITY_END);
            if (q > p + 1) {
              buffer += runText(cps, p, q);
              p = q - 1;
            } else buffer += String.fromCodePoint(c);
          }
          break;

        case HOST:
        case HOSTNAME:
          if (override && url.scheme === 'file') {
            p--;
            state = FILE_HOST;
          } else if (c === 0x3a && !insideBrackets) {
            if (buffer === '' || override === HOSTNAME) return null;
            const host = parseHost(buffer, !isSpecial(url));
            if (host === null) return null;
            url.host = host;
            buffer = '';
            state = PORT;
          } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (c === 0x5c && isSpecial(url))) {
            p--;
            if (isSpecial(url) && buffer === '') return null;
            if (override && buffer === '' && (hasCredentials(url) || url.port !== null)) return null;
            const host = parseHost(buffer, !isSpecial(url));
            if (host === null) return null;
            url.host = host;
            buffer = '';
            state = PATH_START;
            if (override) return url;
          } else if (c === 0x5b || c === 0x5d) {
            insideBrackets = c === 0x5b;
            buffer += String.fromCharCode(c);
          } else {
            const q = plainRun(cps, p, HOST_END);
            if (q > p + 1) {
              buffer += runText(cps, p, q);
              p = q - 1;
            } else buffer += String.fromCodePoint(c);
          }
          break;

        case PORT:
          if (isDigit(c)) buffer += String.fromCharCode(c);
          else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (c === 0x5c && isSpecial(url)) || override) {
            if (buffer !== '') {
              const port = parseInt(buffer, 10);
              if (port > 65535) return null;
              url.port = port === SPECIAL[url.scheme] ? null : port;
              buffer = '';
              if (override) return url;
            }
            if (override) return null;
            state = PATH_START;
            p--;
          } else return null;
          break;

        case FILE:
          url.scheme = 'file';
          url.host = '';
          if (c === 0x2f || c === 0x5c) state = FILE_SLASH;
          else if (base && base.scheme === 'file') {
            url.host = base.host;
            url.path = base.path.slice();
            url.query = base.query;
            if (c === 0x3f) {
              url.query = '';
              state = QUERY;
            } else if (c === 0x23) {
              url.fragment = '';
              state = FRAGMENT;
            } else if (c !== EOF) {
              url.query = null;
              if (!startsWithDriveLetter(cps, p)) shortenPath(url);
              else url.path = [];
              state = PATH;
              p--;
            }
          } else {
            state = PATH;
            p--;
          }
          break;

        case FILE_SLASH:
          if (c === 0x2f || c === 0x5c) state = FILE_HOST;
          else {
            if (base && base.scheme === 'file') {
              url.host = base.host;
              if (!startsWithDriveLetter(cps, p) && isNormalizedDrive(base.path[0])) url.path.push(base.path[0]);
            }
            state = PATH;
            p--;
          }
          break;

        case FILE_HOST:
          if (c === EOF || c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23) {
            p--;
            // A drive letter is not a host: the buffer is kept and becomes the first path segment.
            if (!override && isDriveLetter(buffer)) state = PATH;
            else if (buffer === '') {
              url.host = '';
              if (override) return url;
              state = PATH_START;
            } else {
              let host = parseHost(buffer, !isSpecial(url));
              if (host === null) return null;
              if (host === 'localhost') host = '';
              url.host = host;
              if (override) return url;
              buffer = '';
              state = PATH_START;
            }
          } else buffer += String.fromCodePoint(c);
          break;

        case PATH_START:
          if (isSpecial(url)) {
            state = PATH;
            if (c !== 0x2f && c !== 0x5c) p--;
          } else if (!override && c === 0x3f) {
            url.query = '';
            state = QUERY;
          } else if (!override && c === 0x23) {
            url.fragment = '';
            state = FRAGMENT;
          } else if (c !== EOF) {
            state = PATH;
            if (c !== 0x2f) p--;
          } else if (override && url.host === null) {
            url.path.push('');
          }
          break;

        case PATH: {
          const slash = c === 0x2f || (c === 0x5c && isSpecial(url));
          if (c === EOF || slash || (!override && (c === 0x3f || c === 0x23))) {
            if (isDoubleDot(buffer)) {
              shortenPath(url);
              if (!slash) url.path.push('');
            } else if (isSingleDot(buffer)) {
              if (!slash) url.path.push('');
            } else {
              if (url.scheme === 'file' && url.path.length === 0 && isDriveLetter(buffer)) buffer = buffer[0] + ':';
              url.path.push(buffer);
            }
            buffer = '';
            if (c === 0x3f) {
              url.query = '';
              state = QUERY;
            } else if (c === 0x23) {
              url.fragment = '';
              state = FRAGMENT;
            }
          } else {
            const q = plainRun(cps, p, PATH_SET | PATH_END);
            if (q > p + 1) {
              buffer += runText(cps, p, q);
              p = q - 1;
            } else buffer += encodeCP(c, PATH_SET);
          }
          break;
        }

        case OPAQUE_PATH:
          if (c === 0x3f) {
            url.query = '';
            state = QUERY;
          } else if (c === 0x23) {
            url.fragment = '';
            state = FRAGMENT;
          } else if (c !== EOF) url.path += encodeCP(c, C0_SET);
          break;

        case QUERY:
          if (!override && c === 0x23) {
            url.fragment = '';
            state = FRAGMENT;
          } else if (c !== EOF) {
            const set = isSpecial(url) ? SPECIAL_QUERY_SET : QUERY_SET;
            const q = plainRun(cps, p, set);
            if (q > p + 1) {
              url.query += runText(cps, p, q);
              p = q - 1;
            } else url.query += encodeCP(c, set);
          }
          break;

        case FRAGMENT:
          if (c !== EOF) url.fragment += encodeCP(c, FRAGMENT_SET);
          break;
      }
      if (p >= len) return url;
    }
  }

  const serializePath = (url) => (typeof url.path === 'string' ? url.path : url.path.map((s) => '/' + s).join(''));

  function serialize(url, excludeFragment) {
    let out = url.scheme + ':';
    if (url.host !== null) {
      out += '//';
      if (hasCredentials(url)) {
        out += url.username;
        if (url.password !== '') out += ':' + url.password;
        out += '@';
      }
      out += url.host;
      if (url.port !== null) out += ':' + url.port;
    } else if (typeof url.path !== 'string' && url.path.length > 1 && url.path[0] === '') {
      out += '/.';
    }
    out += serializePath(url);
    if (url.query !== null) out += '?' + url.query;
    if (!excludeFragment && url.fragment !== null) out += '#' + url.fragment;
    return out;
  }

  function origin(url) {
    switch (url.scheme) {
      case 'blob': {
        const inner = parse(serializePath(url), null);
        return inner && (inner.scheme === 'http' || inner.scheme === 'https') ? origin(inner) : 'null';
      }
      case 'ftp': case 'http': case 'https': case 'ws': case 'wss':
        return `${url.scheme}://${url.host}${url.port === null ? '' : ':' + url.port}`;
      default:
        return 'null';
    }
  }

  function stripTrailingSpaces(url) {
    if (typeof url.path === 'string' && url.fragment === null && url.query === null) {
      url.path = url.path.replace(/ +$/, '');
    }
  }

  // ---- application/x-www-form-urlencoded -------------------------------------

  function formDecode(s) {
    if (s.includes('+')) s = s.replaceAll('+', ' ');
    return s.includes('%') ? utf8Decode(percentDecode(s)) : s;
  }

  function parseForm(input) {
    const list = [];
    for (const seq of input.split('&')) {
      if (seq === '') continue;
      const eq = seq.indexOf('=');
      list.push(eq === -1 ? [formDecode(seq), ''] : [formDecode(seq.slice(0, eq)), formDecode(seq.slice(eq + 1))]);
    }
    return list;
  }

  function formEncode(s) {
    if (/^[A-Za-z0-9*\-._]*$/.test(s)) return s;
    let out = '';
    for (const ch of s) {
      const c = ch.codePointAt(0);
      out += c === 0x20 ? '+' : encodeCP(c, FORM_SET);
    }
    return out;
  }

  const serializeForm = (list) => list.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&');

  // ---- the classes -----------------------------------------------------------

  function missingArgs(...names) {
    const list = names.map((n) => `"${n}"`).join(' and ');
    const err = new TypeError(`The ${list} argument${names.length > 1 ? 's' : ''} must be specified`);
    err.code = 'ERR_MISSING_ARGS';
    return err;
  }

  function invalidURL(input, base) {
    const err = new TypeError('Invalid URL');
    err.code = 'ERR_INVALID_URL';
    err.input = input;
    if (base !== undefined) err.base = base;
    return err;
  }

  const customInspect = Symbol.for('nodejs.util.inspect.custom');
  let paramsList, paramsAttach, urlRecord;

  class URLSearchParams {
    #list = [];
    #url = null;

    constructor(init = undefined) {
      if (init === undefined || init === null) return; // Node treats null as absent; Web IDL would give 'null='
      if ((typeof init === 'object' && init !== null) || typeof init === 'function') {
        const iter = init[Symbol.iterator];
        if (iter !== undefined && iter !== null) {
          if (typeof iter !== 'function') throw new TypeError('Query pairs must be iterable');
          for (const pair of init) {
            if ((typeof pair !== 'object' && typeof pair !== 'function') || pair === null ||
                typeof pair[Symbol.iterator] !== 'function') {
              throw new TypeError('Each query pair must be an iterable [name, value] tuple');
            }
            const items = Array.from(pair);
            if (items.length !== 2) throw new TypeError('Each query pair must be an iterable [name, value] tuple');
            this.#list.push([toUSV(items[0]), toUSV(items[1])]);
          }
        } else {
          for (const key of Reflect.ownKeys(init)) {
            const desc = Reflect.getOwnPropertyDescriptor(init, key);
            if (desc !== undefined && desc.enumerable) this.#list.push([toUSV(key), toUSV(init[key])]);
          }
        }
      } else {
        init = toUSV(init);
        this.#list = parseForm(init[0] === '?' ? init.slice(1) : init);
      }
    }

    static {
      paramsList = (params, list) => {
        if (list !== undefined) params.#list = list;
        return params.#list;
      };
      paramsAttach = (params, url) => { params.#url = url; };
    }

    #update() {
      if (this.#url === null) return;
      const record = urlRecord(this.#url);
      const query = serializeForm(this.#list);
      record.query = query === '' ? null : query;
      if (query === '') stripTrailingSpaces(record);
    }

    get size() { return this.#list.length; }

    append(name, value) {
      if (arguments.length < 2) throw missingArgs('name', 'value');
      this.#list.push([toUSV(name), toUSV(value)]);
      this.#update();
    }

    delete(name, value = undefined) {
      if (arguments.length < 1) throw missingArgs('name');
      name = toUSV(name);
      if (value !== undefined) {
        value = toUSV(value);
        this.#list = this.#list.filter(([k, v]) => k !== name || v !== value);
      } else {
        this.#list = this.#list.filter(([k]) => k !== name);
      }
      this.#update();
    }

    get(name) {
      if (arguments.length < 1) throw missingArgs('name');
      name = toUSV(name);
      const pair = this.#list.find(([k]) => k === name);
      return pair === undefined ? null : pair[1];
    }

    getAll(name) {
      if (arguments.length < 1) throw missingArgs('name');
      name = toUSV(name);
      return this.#list.filter(([k]) => k === name).map(([, v]) => v);
    }

    has(name, value = undefined) {
      if (arguments.length < 1) throw missingArgs('name');
      name = toUSV(name);
      if (value === undefined) return this.#list.some(([k]) => k === name);
      value = toUSV(value);
      return this.#list.some(([k, v]) => k === name && v === value);
    }

    set(name, value) {
      if (arguments.length < 2) throw missingArgs('name', 'value');
      name = toUSV(name);
      value = toUSV(value);
      const i = this.#list.findIndex(([k]) => k === name);
      if (i === -1) this.#list.push([name, value]);
      else {
        this.#list[i] = [name, value];
        this.#list = this.#list.filter(([k], j) => j <= i || k !== name);
      }
      this.#update();
    }

    sort() {
      // Array.prototype.sort is stable; < compares UTF-16 code units as the spec asks.
      this.#list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      this.#update();
    }

    forEach(callback, thisArg = undefined) {
      if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
      for (let i = 0; i < this.#list.length; i++) {
        const [k, v] = this.#list[i];
        callback.call(thisArg, v, k, this);
      }
    }

    keys() { return new ParamsIterator(this, 'key'); }
    values() { return new ParamsIterator(this, 'value'); }
    entries() { return new ParamsIterator(this, 'key+value'); }
    toString() { return serializeForm(this.#list); }

    [customInspect](depth, options, inspect) {
      if (typeof depth === 'number' && depth < 0) return '[Object]';
      const opts = { ...options, depth: depth === null ? null : depth - 1 };
      const output = this.#list.map(([k, v]) => `${inspect(k, opts)} => ${inspect(v, opts)}`);
      const length = output.reduce((n, s) => n + s.length + 2, -2);
      const name = this.constructor.name;
      if (length > (options.breakLength ?? 80)) return `${name} {\n  ${output.join(',\n  ')} }`;
      return output.length ? `${name} { ${output.join(', ')} }` : `${name} {}`;
    }
  }

  class ParamsIterator {
    #params;
    #kind;
    #index = 0;
    constructor(params, kind) {
      this.#params = params;
      this.#kind = kind;
    }

    next() {
      const list = paramsList(this.#params);
      if (this.#index >= list.length) return { value: undefined, done: true };
      const [k, v] = list[this.#index++];
      return { value: this.#kind === 'key' ? k : this.#kind === 'value' ? v : [k, v], done: false };
    }
  }
  Object.setPrototypeOf(ParamsIterator.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
  delete ParamsIterator.prototype.constructor;
  Object.defineProperty(ParamsIterator.prototype, Symbol.toStringTag, { value: 'URLSearchParams Iterator', configurable: true });

  class URL {
    #url;
    #params = null;

    constructor(url, base = undefined) {
      if (arguments.length === 0) throw missingArgs('url');
      url = toUSV(url);
      let baseRecord = null;
      if (base !== undefined) {
        base = toUSV(base);
        baseRecord = parse(base, null);
        if (baseRecord === null) throw invalidURL(url, base);
      }
      const record = parse(url, baseRecord);
      if (record === null) throw invalidURL(url, base);
      this.#url = record;
    }

    static {
      urlRecord = (url) => url.#url;
    }

    static canParse(url, base = undefined) {
      if (arguments.length === 0) throw missingArgs('url');
      let baseRecord = null;
      if (base !== undefined) {
        baseRecord = parse(toUSV(base), null);
        if (baseRecord === null) return false;
      }
      return parse(toUSV(url), baseRecord) !== null;
    }

    static parse(url, base = undefined) {
      try { return new URL(url, base); } catch { return null; }
    }

    #syncParams() {
      if (this.#params !== null) paramsList(this.#params, parseForm(this.#url.query ?? ''));
    }

    get href() { return serialize(this.#url); }
    set href(value) {
      value = toUSV(value);
      const record = parse(value, null);
      if (record === null) throw invalidURL(value);
      this.#url = record;
      this.#syncParams();
    }

    get origin() { return origin(this.#url); }

    get protocol() { return this.#url.scheme + ':'; }
    set protocol(value) { parse(toUSV(value) + ':', null, this.#url, SCHEME_START); }

    get username() { return this.#url.username; }
    set username(value) {
      const url = this.#url;
      if (url.host === null || url.host === '' || url.scheme === 'file') return;
      url.username = encodeStr(toUSV(value), USERINFO_SET);
    }

    get password() { return this.#url.password; }
    set password(value) {
      const url = this.#url;
      if (url.host === null || url.host === '' || url.scheme === 'file') return;
      url.password = encodeStr(toUSV(value), USERINFO_SET);
    }

    get host() {
      const url = this.#url;
      if (url.host === null) return '';
      return url.port === null ? url.host : `${url.host}:${url.port}`;
    }
    set host(value) {
      if (typeof this.#url.path !== 'string') parse(toUSV(value), null, this.#url, HOST);
    }

    get hostname() { return this.#url.host ?? ''; }
    set hostname(value) {
      if (typeof this.#url.path !== 'string') parse(toUSV(value), null, this.#url, HOSTNAME);
    }

    get port() { return this.#url.port === null ? '' : String(this.#url.port); }
    set port(value) {
      const url = this.#url;
      if (url.host === null || url.host === '' || url.scheme === 'file') return;
      value = toUSV(value);
      if (value === '') url.port = null;
      else parse(value, null, url, PORT);
    }

    get pathname() { return serializePath(this.#url); }
    set pathname(value) {
      const url = this.#url;
      if (typeof url.path === 'string') return;
      url.path = [];
      parse(toUSV(value), null, url, PATH_START);
    }

    get search() {
      const q = this.#url.query;
      return q ? '?' + q : '';
    }
    set search(value) {
      const url = this.#url;
      value = toUSV(value);
      if (value === '') {
        url.query = null;
        stripTrailingSpaces(url);
      } else {
        const input = value[0] === '?' ? value.slice(1) : value;
        url.query = '';
        parse(input, null, url, QUERY);
      }
      this.#syncParams();
    }

    get searchParams() {
      if (this.#params === null) {
        this.#params = new URLSearchParams();
        paramsList(this.#params, parseForm(this.#url.query ?? ''));
        paramsAttach(this.#params, this);
      }
      return this.#params;
    }

    get hash() {
      const f = this.#url.fragment;
      return f ? '#' + f : '';
    }
    set hash(value) {
      const url = this.#url;
      value = toUSV(value);
      if (value === '') {
        url.fragment = null;
        stripTrailingSpaces(url);
        return;
      }
      url.fragment = '';
      parse(value[0] === '#' ? value.slice(1) : value, null, url, FRAGMENT);
    }

    toString() { return serialize(this.#url); }
    toJSON() { return serialize(this.#url); }

    [customInspect](depth, options, inspect) {
      if (typeof depth === 'number' && depth < 0) return this;
      const obj = { __proto__: { constructor: this.constructor } };
      for (const key of ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname',
        'port', 'pathname', 'search', 'searchParams', 'hash']) obj[key] = this[key];
      return `${this.constructor.name} ${inspect(obj, options)}`;
    }
  }

  // Web IDL members are enumerable, unlike class members.
  for (const [cls, tag] of [[URL, 'URL'], [URLSearchParams, 'URLSearchParams']]) {
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      if (key !== 'constructor') Object.defineProperty(cls.prototype, key, { enumerable: true });
    }
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  }
  Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
    value: URLSearchParams.prototype.entries, writable: true, configurable: true,
  });

  internal.domainToASCII = (domain) => {
    const host = parseHost(toUSV(domain), false);
    return host === null ? '' : host;
  };

  for (const [name, value] of [['URL', URL], ['URLSearchParams', URLSearchParams]]) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
})
