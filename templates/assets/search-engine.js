// The search itself (docs/search.md): search.js starts this module as a Web Worker (it then
// answers the page's messages: Host, at the end), or imports it into the page where a worker
// cannot start. It has no import, so the tests load it under node.
//
// The index (src/bulletin_site/search/) holds one Pagefind word per character position: a
// Chinese character as the pair it starts (經濟, 濟局, 局ǂ at the end of a run), a Latin word or
// number + "ǂ", punctuation as words Pagefind does not index. A term such as 經濟局 is looked up
// pair by pair (經濟, 濟局, in every form of the edition that folds to the same: 經/经 …), and a
// record matches where the pairs stand at consecutive positions.
//
// The index is in parts (two years of the archive each, newest first), each a Pagefind bundle.
// This module reads Pagefind's index files itself (gzip, CBOR: the format of Pagefind 1.5's
// pagefind_web), part by part, newest first: the first ten results are sent as soon as they
// are known, the count and the full ranking when every part has answered. For the commonest
// words and characters the build has written the answer (answers.py: for every record of every
// part where it is common, how often and whether in the title, in one file), so such a query
// reads no position at all. One ranking across the parts, from each result's part and page
// number (its place in the part).
//
// The functions exported here mirror the Python package (words.char_class, fold.fold_char,
// words.tokenize, the tests' reference steps, answers.pagefind_key …); the tests hold the two
// to each other.

export const WORD_END = "\u01c2"; // ǂ
export const SPACE = "\u2423"; // ␣
export const BREAK = "\u2424"; // ␤
const RESERVED = new Set([WORD_END, SPACE, BREAK]);
export const HAN = "han";
export const WORD = "word";
export const SEP = "sep";

export const PAGE_SIZE = 10; // results shown at once; "more" shows the next ones
const EXCERPT_BEFORE = 30; // characters shown before the first match
const EXCERPT_LENGTH = 110;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const MARK = /\p{M}/u;
const MARKS = /\p{M}/gu;
const PART_STRIDE = 2 ** 24; // ranks: a part's place × this + the record's place in the part
const PAGEFIND_SIGNATURE = "pagefind_dcd"; // Pagefind's files: gzip of this + CBOR
const OWN_SIGNATURE = "bulletin_dcd"; // the parts' directories and answers (answers.py)
const CACHED_FILES = 300; // decoded index files, answers, filters kept between searches
const CACHED_FRAGMENTS = 200;

// --- characters (Python: chars.py, search/words.py, search/fold.py) --------------------------

// chars.SEARCH_TOKEN_RANGES: letters and digits here are a token each (tests/test_search_chars.py
// checks this copy against Python's, code point by code point).
export const HAN_RANGES = [
  [0x2e80, 0xa4cf],
  [0xac00, 0xd7af],
  [0xf900, 0xfaff],
  [0xff66, 0xff9f],
  [0x20000, 0x3ffff],
];

export function charClass(char) {
  if (RESERVED.has(char) || !LETTER_OR_DIGIT.test(char)) return SEP;
  const code = char.codePointAt(0);
  return HAN_RANGES.some(([low, high]) => code >= low && code <= high) ? HAN : WORD;
}

export function halfWidth(char) {
  const code = char.codePointAt(0);
  return code >= 0xff01 && code <= 0xff5e ? String.fromCodePoint(code - 0xfee0) : char;
}

export function foldChar(char, table) {
  if (RESERVED.has(char)) return " ";
  const mapped = table.get(char);
  if (mapped !== undefined) return mapped;
  char = halfWidth(char);
  if (char.codePointAt(0) < 0x80) return char.toLowerCase();
  const bare = Array.from(char.normalize("NFD")).filter((c) => !MARK.test(c));
  if (bare.length === 1) char = bare[0];
  const lower = char.toLowerCase();
  return Array.from(lower).length === 1 ? lower : char;
}

export function fold(text, table) {
  return Array.from(text.normalize("NFC"), (c) => foldChar(c, table)).join("");
}

export function parseTable(pairs) {
  const chars = Array.from(pairs);
  const table = new Map();
  for (let i = 0; i + 1 < chars.length; i += 2) table.set(chars[i], chars[i + 1]);
  return table;
}

// Words Pagefind keys as they are: CJK ideographs (no case, and NFD leaves them; text is NFC,
// so no compatibility ideograph) and ǂ. Most words of a record: they skip the normalising.
const AS_THEY_ARE = /^[\u3400-\u4dbf\u4e00-\u9fff\u01c2]+$/;

/** A word as Pagefind keys it (answers.pagefind_key): lower case, NFD without marks. */
export function indexKey(word) {
  if (AS_THEY_ARE.test(word)) return word;
  return word.toLowerCase().normalize("NFD").replace(MARKS, "");
}

/** Strings in code point order, as Pagefind (Rust) sorts its words; JavaScript's < compares
 * UTF-16 code units, which puts 𠀋 (U+2000B) before ｱ (U+FF71). */
export function compareKeys(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate is above every other code unit
    return x - y;
  }
  return a.length - b.length;
}

// --- tokens (words.tokenize, the reference split_query, records.display) ----------------------

export function tokenize(text) {
  const chars = Array.from(text.normalize("NFC"));
  const tokens = [];
  let i = 0;
  while (i < chars.length) {
    const kind = charClass(chars[i]);
    let j = i + 1;
    if (kind !== HAN) {
      while (j < chars.length && charClass(chars[j]) === kind) j++;
    }
    let piece = chars.slice(i, j);
    if (kind === WORD) piece = piece.map(halfWidth);
    else if (kind === SEP) piece = piece.map((c) => (RESERVED.has(c) ? " " : c));
    tokens.push({ kind, text: piece.join("") });
    i = j;
  }
  return tokens;
}

/** The terms of a query: white space and punctuation separate them; repeats dropped. */
export function splitQuery(query) {
  const terms = [];
  let run = [];
  const flush = () => {
    const term = run.map((t) => t.text).join("");
    if (term && !terms.includes(term)) terms.push(term);
    run = [];
  };
  for (const token of tokenize(query)) {
    if (token.kind === SEP) flush();
    else run.push(token);
  }
  flush();
  return terms;
}

/** A word of a record's content as shown (words.display_word). */
export function displayWord(word) {
  if (word.endsWith(WORD_END)) return word.slice(0, -WORD_END.length);
  const first = String.fromCodePoint(word.codePointAt(0));
  if (charClass(first) === HAN) return first;
  return word.replaceAll(SPACE, " ").replaceAll(BREAK, "\n");
}

/** (title, body) as shown, from a record's content and the edition's title span. */
export function display(content, span) {
  const words = content.split(" ");
  const title = words.slice(0, span).filter((w) => w !== BREAK).map(displayWord).join("");
  return [title, words.slice(span).map(displayWord).join("")];
}

// --- how a term is looked up --------------------------------------------------------------------

export const EXACT = "exact";
export const PREFIX = "prefix";

/**
 * Where a term's pairs are looked up (the tests' reference pair_starts): in each run of two
 * characters or more, every other pair, since the pair at p names the characters at p and p+1;
 * the last one moved back a place if the run's last character is left over. When a Latin word
 * follows the run, its last character is named by "cǂ" instead. Half the words of a long term:
 * each word costs an index file in every part of the index.
 */
export function pairStarts(tokens) {
  const starts = new Set();
  let j = 0;
  while (j < tokens.length) {
    let end = j;
    while (end < tokens.length && tokens[end].kind === HAN) end++;
    if (end - j >= 2) {
      const wordAfter = end < tokens.length && tokens[end].kind === WORD;
      const last = wordAfter ? end - 2 : end - 1;
      for (let q = j; q <= last; q += 2) starts.add(Math.min(q, end - 2));
    }
    j = Math.max(end, j + 1);
  }
  return starts;
}

/** An edition's characters and fold table (data.json): how its queries are looked up. */
export class Edition {
  constructor(data) {
    this.table = parseTable(data.fold);
    this.forms = new Map(); // folded character → the edition's characters that fold to it
    for (const char of Array.from(data.chars)) {
      const key = foldChar(char, this.table);
      if (!this.forms.has(key)) this.forms.set(key, []);
      this.forms.get(key).push(char);
    }
  }

  variants(token) {
    return this.forms.get(foldChar(token.text, this.table)) || [];
  }

  /** How one term is looked up (the tests' reference steps): [{offset, mode, keys}]. */
  steps(term) {
    const tokens = tokenize(term);
    const pairsAt = pairStarts(tokens);
    const out = [];
    tokens.forEach((token, j) => {
      const next = tokens[j + 1];
      if (token.kind === WORD) {
        out.push({ offset: j, mode: EXACT, keys: [fold(token.text, this.table) + WORD_END] });
      } else if (next && next.kind === HAN) {
        if (!pairsAt.has(j)) return;
        const keys = [];
        for (const a of this.variants(token)) for (const b of this.variants(next)) keys.push(a + b);
        out.push({ offset: j, mode: EXACT, keys });
      } else if (next) {
        out.push({ offset: j, mode: EXACT, keys: this.variants(token).map((a) => a + WORD_END) });
      } else if (j === 0 || tokens[j - 1].kind !== HAN) {
        out.push({ offset: j, mode: PREFIX, keys: this.variants(token) });
      }
    });
    return { steps: out, width: tokens.length };
  }

  /** A query's terms as lookups: [{steps: [{offset, mode, keys}], width}], each step's keys
   * as Pagefind keys them, without repeats (が and か are one key); null if a term holds a
   * character the edition does not (nothing can match). */
  terms(query) {
    const terms = splitQuery(query).map((term) => this.steps(term));
    for (const term of terms) {
      for (const step of term.steps) {
        step.keys = [...new Set(step.keys.map(indexKey))];
        if (!step.keys.length) return null;
      }
    }
    return terms;
  }
}

/** Where each term of ``terms`` starts in a record's content words (what is marked): the
 * positions of every match, from the words themselves (as the index has them). */
export function matchPositions(terms, words) {
  const keys = words.map(indexKey);
  const marks = new Set();
  for (const { steps, width } of terms) {
    const sets = steps.map((step) => new Set(step.keys));
    const hit = (step, i, p) => {
      const key = keys[p];
      if (!key) return false;
      if (step.mode === EXACT) return sets[i].has(key);
      return step.keys.some((k) => key.startsWith(k));
    };
    for (let p = 0; p < keys.length; p++) {
      if (steps.every((step, i) => hit(step, i, p + step.offset))) {
        for (let i = 0; i < width; i++) marks.add(p + i);
      }
    }
  }
  return marks;
}

// --- reading the index files --------------------------------------------------------------------

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

function startsWithBytes(bytes, signature) {
  const sig = ENCODER.encode(signature);
  if (bytes.length < sig.length) return false;
  return sig.every((b, i) => bytes[i] === b);
}

async function gunzip(bytes) {
  if (typeof DecompressionStream === "undefined") {
    throw new Error("this browser cannot read the index: no DecompressionStream");
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A file of the index: gzip of a signature and the data (a server may have sent it
 * decompressed already, with Content-Encoding: gzip); the data. ``priority``: the fetch's
 * (the first page's files "high", the older parts' "low", so that the first results do not
 * wait behind the rest on a server's few connections). */
async function fetchPacked(url, signature, priority = "auto") {
  const response = await fetch(url, { priority });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return unpack(new Uint8Array(await response.arrayBuffer()), signature, url);
}

async function unpack(bytes, signature, name) {
  if (!startsWithBytes(bytes, signature)) bytes = await gunzip(bytes);
  if (!startsWithBytes(bytes, signature)) throw new Error(`${name}: not a search file`);
  return bytes.subarray(signature.length);
}

/** parts.bin (answers.directories): the parts' directories, in data.json's order. */
export async function readDirectories(buffer) {
  const bytes = await unpack(new Uint8Array(buffer), OWN_SIGNATURE, "parts.bin");
  return JSON.parse(DECODER.decode(bytes));
}

/** The subset of CBOR Pagefind writes (definite lengths), as JavaScript values. */
export function decodeCbor(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const length = (info) => {
    if (info < 24) return info;
    let n;
    if (info === 24) n = bytes[at];
    else if (info === 25) n = view.getUint16(at);
    else if (info === 26) n = view.getUint32(at);
    else if (info === 27) n = Number(view.getBigUint64(at));
    else throw new Error("search: indefinite CBOR lengths are not expected");
    at += 1 << (info - 24);
    return n;
  };
  const item = () => {
    const head = bytes[at++];
    const major = head >> 5;
    const info = head & 31;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      throw new Error(`search: unexpected CBOR simple value ${info}`);
    }
    const n = length(info);
    if (major === 0) return n;
    if (major === 1) return -1 - n;
    if (major === 2 || major === 3) {
      const slice = bytes.subarray(at, at + n);
      at += n;
      return major === 3 ? DECODER.decode(slice) : slice;
    }
    if (major === 4) {
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = item();
      return out;
    }
    if (major === 5) {
      const out = {};
      for (let i = 0; i < n; i++) {
        const key = item();
        out[key] = item();
      }
      return out;
    }
    throw new Error(`search: unexpected CBOR type ${major}`);
  };
  const value = item();
  if (at !== bytes.length) throw new Error("search: trailing bytes");
  return value;
}

/** Pagefind's pages of one word (its index.rs): [[page delta, [locations: -(weight+1) marks a
 * weight, then deltas from the last position], meta locations?] …] → [[page, positions] …]. */
function pagePositions(pages, into) {
  let page = 0;
  for (const entry of pages) {
    page += entry[0];
    const positions = [];
    let last = 0;
    for (const loc of entry[1]) {
      if (loc < 0) last = 0;
      else positions.push((last += loc));
    }
    const known = into.get(page);
    if (known) known.push(...positions);
    else into.set(page, positions);
  }
}

/** One of Pagefind's index files: its words in order, each with page → positions (the word's
 * pages and its variants' merged: Pagefind indexes café as cafe, keeping café's positions as a
 * variant). */
export function decodeIndexFile(bytes) {
  const value = decodeCbor(bytes);
  const words = [];
  for (const entry of value[0]) {
    const positions = new Map();
    pagePositions(entry[1], positions);
    for (const variant of entry[2] || []) pagePositions(variant[1], positions);
    if ((entry[2] || []).length) for (const list of positions.values()) list.sort((a, b) => a - b);
    words.push([entry[0], positions]);
  }
  return words;
}

/** Pagefind's filter file: [name, [[value, [page …]] …]] → value → Set(page). */
function decodeFilter(bytes) {
  const [, values] = decodeCbor(bytes);
  return new Map(values.map(([value, pages]) => [value, new Set(pages)]));
}

function readVarints(bytes) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const byte of bytes) {
    value += (byte & 0x7f) * 2 ** shift;
    if (byte & 0x80) {
      shift += 7;
    } else {
      out.push(value);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** The answers for the commonest words (answers.py): one file per unit (a character as a
 * prefix, or a word), holding for each part where it is common that part's place, then for
 * every record of the part count × 2 + in the title. */
class Answers {
  constructor(common, base, files, records) {
    this.url = new URL(common.path, base).href;
    this.files = files;
    this.units = new Map(); // "prefix:的" / "exact:澳門" → the file's number
    // The keys are written in NFC (answers.written): keyed again, as Pagefind keys them.
    common.prefixes.forEach((key, n) => this.units.set(`${PREFIX}:${indexKey(key)}`, n));
    const words = common.prefixes.length;
    common.words.forEach((key, n) => this.units.set(`${EXACT}:${indexKey(key)}`, words + n));
    this.decode = (bytes) => {
      const values = readVarints(bytes);
      const parts = new Map(); // a part's place → its records' values
      for (let at = 0; at < values.length; ) {
        const place = values[at];
        parts.set(place, values.slice(at + 1, at + 1 + records[place]));
        at += 1 + records[place];
      }
      return parts;
    };
  }

  /** The number of the answer the build wrote for this key, if it did. */
  unit(mode, key) {
    return this.units.get(`${mode}:${key}`);
  }

  fileUrl(n) {
    return `${this.url}${n}.bin`;
  }

  prefetch(n) {
    this.files.prefetch(this.fileUrl(n), OWN_SIGNATURE, this.decode, "high");
  }

  /** A part's place → its records' values (count × 2 + in the title). */
  get(n) {
    return this.files.get(this.fileUrl(n), OWN_SIGNATURE, this.decode);
  }
}

/** Of files in key order, each named by where it starts (``from``: its first key or a
 * prefix of it), the ones that may hold ``key`` (EXACT: the last file starting at or before
 * it) or keys starting with it (PREFIX: that one and every next file starting with ``key``). */
function filesHolding(from, key, mode) {
  let first = -1;
  for (let i = 0; i < from.length && compareKeys(from[i], key) <= 0; i++) first = i;
  if (mode === EXACT) return first < 0 ? [] : [first];
  const out = [];
  for (let i = Math.max(first, 0); i < from.length; i++) {
    if (i > first && !from[i].startsWith(key)) break;
    out.push(i);
  }
  return out;
}

/** The word map (answers.word_map): every Chinese key of the edition with the places of the
 * parts that hold it, in files by key range (data.json: each file's first key). */
class WordMap {
  constructor(map, base, files) {
    this.url = new URL(map.path, base).href;
    this.from = map.from.map(indexKey); // written in NFC (answers.written)
    this.files = files;
    this.decode = (bytes) => {
      const flat = JSON.parse(DECODER.decode(bytes));
      const keys = [];
      const places = new Map();
      for (let i = 0; i < flat.length; i += 2) {
        const key = indexKey(flat[i]);
        keys.push(key);
        places.set(key, flat[i + 1]);
      }
      return { keys, places };
    };
  }

  /** The files that may hold ``key`` (EXACT) or keys starting with it (PREFIX). */
  filesFor(key, mode) {
    return filesHolding(this.from, key, mode);
  }

  fileUrl(n) {
    return `${this.url}${n}.bin`;
  }

  /** The places of the parts holding ``key`` (or, PREFIX, a key starting with it). */
  async places(key, mode) {
    const out = new Set();
    const files = this.filesFor(key, mode);
    for (const n of files) this.files.prefetch(this.fileUrl(n), OWN_SIGNATURE, this.decode, "high");
    for (const n of files) {
      const { keys, places } = await this.files.get(this.fileUrl(n), OWN_SIGNATURE, this.decode);
      if (mode === EXACT) {
        for (const place of places.get(key) || []) out.add(place);
      } else {
        for (const k of keys) {
          if (k.startsWith(key)) for (const place of places.get(k)) out.add(place);
        }
      }
    }
    return out;
  }

  /** The places of the parts that can hold every term (a Set), or null: any part (a term
   * with a Latin word, which the map does not list, or one answered in advance, which its
   * answer says more quickly). */
  async candidates(terms, answers) {
    const chinese = (key) => charClass(String.fromCodePoint(key.codePointAt(0))) === HAN;
    const answered = (step) => step.keys.every((k) => answers.unit(step.mode, k) !== undefined);
    const perTerm = await Promise.all(
      terms.map(async ({ steps }) => {
        if (steps.length === 1 && answered(steps[0])) return null;
        const perStep = await Promise.all(
          steps
            .filter((step) => step.keys.every(chinese))
            .map(async (step) => {
              const union = new Set();
              for (const found of await Promise.all(step.keys.map((k) => this.places(k, step.mode)))) {
                for (const place of found) union.add(place);
              }
              return union;
            }),
        );
        return perStep.length ? perStep.reduce(intersect) : null;
      }),
    );
    const known = perTerm.filter((set) => set !== null);
    return known.length ? known.reduce(intersect) : null;
  }
}

function intersect(a, b) {
  return new Set([...a].filter((x) => b.has(x)));
}

/** A Map kept to ``size`` entries, the least recently used dropped first. */
class Lru {
  constructor(size) {
    this.size = size;
    this.map = new Map();
  }

  get(key) {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key, value) {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.size) this.map.delete(this.map.keys().next().value);
    return value;
  }
}

/** Files fetched once and decoded when first needed: ``prefetch`` asks for the bytes,
 * ``get`` decodes them (so the newest part's files are decoded first, whatever arrives
 * first). */
class Files {
  constructor() {
    this.entries = new Lru(CACHED_FILES);
  }

  entry(url, signature, decode, priority) {
    let entry = this.entries.get(url);
    if (!entry) {
      const bytes = fetchPacked(url, signature, priority);
      // A failure is seen by get(), and the file asked for again next time.
      bytes.catch(() => this.entries.map.delete(url));
      entry = this.entries.set(url, { bytes, decode, value: undefined });
    }
    return entry;
  }

  prefetch(url, signature, decode, priority) {
    this.entry(url, signature, decode, priority);
  }

  async get(url, signature, decode) {
    const entry = this.entry(url, signature, decode, "high");
    if (entry.value === undefined) {
      const bytes = await entry.bytes;
      if (entry.value === undefined) entry.value = entry.decode(bytes);
    }
    return entry.value;
  }
}

/** One part of the index: its folder (data.json) and its directory (answers.directory). */
class Part {
  constructor(info, order, base, files, answers, directory) {
    this.answers = answers;
    this.name = info.name;
    this.order = order; // its place in data.json: newest first
    this.years = new Set(info.years);
    this.kinds = new Set(info.kinds);
    this.url = new URL(info.path, base).href;
    this.files = files;
    this.directory = directory.then((dir) => this.readDirectory(dir));
    this.directory.catch(() => {}); // seen by every search that needs it
  }

  readDirectory(dir) {
    this.span = dir.span;
    this.records = dir.records;
    this.from = [];
    for (let i = 0; i < dir.chunks.length; i += 2) this.from.push(dir.chunks[i]);
    this.filterFiles = dir.filters;
    return this;
  }

  /** The index files that may hold ``key`` (EXACT) or words starting with it (PREFIX):
   * Pagefind's chunk_meta gives each file from a prefix of its first word. */
  chunksFor(key, mode) {
    return filesHolding(this.from, key, mode);
  }

  chunkUrl(i) {
    return `${this.url}index/${i.toString(36)}.pf_index`;
  }

  /** Ask for every file a query will read here (not decoded until needed; a part where an
   * answered unit is not common is read when its answer has said so). */
  prefetch(terms, filters, priority) {
    const prefetch = (url, signature, decode) =>
      this.files.prefetch(url, signature, decode, priority);
    for (const name of Object.keys(filters)) {
      const file = this.filterFiles[name];
      if (file) prefetch(this.filterUrl(file), PAGEFIND_SIGNATURE, decodeFilter);
    }
    for (const term of terms) {
      const single = term.steps.length === 1;
      for (const step of term.steps) {
        for (const key of step.keys) {
          const unit = single ? this.answers.unit(step.mode, key) : undefined;
          if (unit !== undefined) {
            this.answers.prefetch(unit);
          } else {
            for (const i of this.chunksFor(key, step.mode)) {
              prefetch(this.chunkUrl(i), PAGEFIND_SIGNATURE, decodeIndexFile);
            }
          }
        }
      }
    }
  }

  filterUrl(file) {
    return `${this.url}filter/${file}.pf_filter`;
  }

  /** The pages (records) with every filter's value: a Set, or null (no filter). */
  async allowed(filters) {
    let allowed = null;
    for (const [name, value] of Object.entries(filters)) {
      const file = this.filterFiles[name];
      const pages = file
        ? (await this.files.get(this.filterUrl(file), PAGEFIND_SIGNATURE, decodeFilter)).get(value)
        : undefined;
      const these = pages || new Set();
      allowed = allowed === null ? these : new Set([...allowed].filter((p) => these.has(p)));
    }
    return allowed;
  }

  /** page → positions of one key (EXACT: the word; PREFIX: every word starting with it). */
  async positions(key, mode) {
    const out = new Map();
    for (const i of this.chunksFor(key, mode)) {
      const words = await this.files.get(this.chunkUrl(i), PAGEFIND_SIGNATURE, decodeIndexFile);
      for (const [word, pages] of words) {
        if (mode === EXACT ? word !== key : !word.startsWith(key)) continue;
        for (const [page, positions] of pages) {
          const known = out.get(page);
          if (known) known.push(...positions);
          else out.set(page, positions.slice());
        }
      }
    }
    return out;
  }

  /** page → [in the title (0/1), count] for one term here. */
  async term({ steps }) {
    if (steps.length === 1) return this.oneStep(steps[0]);
    const perStep = await Promise.all(
      steps.map(async (step) => {
        const union = new Map();
        for (const key of step.keys) {
          for (const [page, positions] of await this.positions(key, step.mode)) {
            const known = union.get(page);
            if (known) known.push(...positions);
            else union.set(page, positions);
          }
        }
        return union;
      }),
    );
    const smallest = perStep.reduce((a, b) => (b.size < a.size ? b : a));
    const hits = new Map();
    for (const page of smallest.keys()) {
      if (!perStep.every((positions) => positions.has(page))) continue;
      const sets = perStep.map((positions) => new Set(positions.get(page)));
      let count = 0;
      let title = 0;
      for (const p of sets[0]) {
        const start = p - steps[0].offset;
        if (steps.every((step, i) => sets[i].has(start + step.offset))) {
          count++;
          if (start < this.span) title = 1;
        }
      }
      if (count) hits.set(page, [title, count]);
    }
    return hits;
  }

  /** A term of one step (a character, a pair, a Latin word): its answer where the build wrote
   * one for this part, else its positions counted. */
  async oneStep(step) {
    const hits = new Map();
    const add = (page, title, count) => {
      const known = hits.get(page);
      if (known) {
        known[0] |= title;
        known[1] += count;
      } else {
        hits.set(page, [title, count]);
      }
    };
    for (const key of step.keys) {
      const unit = this.answers.unit(step.mode, key);
      const values = unit === undefined ? undefined : (await this.answers.get(unit)).get(this.order);
      if (values) {
        values.forEach((v, page) => v && add(page, v & 1, Math.floor(v / 2)));
      } else {
        for (const [page, positions] of await this.positions(key, step.mode)) {
          add(page, positions.some((p) => p < this.span) ? 1 : 0, positions.length);
        }
      }
    }
    return hits;
  }

  /** Every record here matching every term: [{part, page, rank, titleTerms, count}]. */
  async search(terms, filters) {
    const allowed = await this.allowed(filters);
    let found = null; // page → {titleTerms, count}
    for (const term of terms) {
      const hits = await this.term(term);
      if (found === null) {
        found = new Map();
        for (const [page, [title, count]] of hits) {
          if (!allowed || allowed.has(page)) found.set(page, { titleTerms: title, count });
        }
      } else {
        for (const [page, record] of found) {
          const hit = hits.get(page);
          if (!hit) {
            found.delete(page);
          } else {
            record.titleTerms += hit[0];
            record.count += hit[1];
          }
        }
      }
      if (!found.size) return [];
    }
    return [...found].map(([page, r]) => ({
      part: this.order,
      page,
      rank: this.order * PART_STRIDE + page,
      titleTerms: r.titleTerms,
      count: r.count,
    }));
  }

  fragmentUrl(page) {
    return `${this.url}fragment/${this.name}_${page.toString(36)}.pf_fragment`;
  }
}

/** Title matches first, then by how often the terms occur, then newest first. */
export function byRank(a, b) {
  return b.titleTerms - a.titleTerms || b.count - a.count || a.rank - b.rank;
}

/** A search that a newer one has replaced: its work stops at the next step. */
export class Abandoned extends Error {}

/** Let the worker read its messages (a newer search) between two parts. */
function yieldToEvents() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

// --- the search, over every part ----------------------------------------------------------------

export class Engine {
  /** data: the edition's data.json; base: the URL of the folder the parts' paths start from;
   * directories: the parts' directories (parts.bin), or a promise of them. */
  constructor(data, base, directories) {
    this.edition = new Edition(data);
    this.files = new Files();
    const parts = data.parts || [];
    const common = data.common || { path: "", prefixes: [], words: [] };
    const records = parts.map((info) => info.records);
    this.answers = new Answers(common, base, this.files, records);
    this.map = data.map ? new WordMap(data.map, base, this.files) : null;
    const all = Promise.resolve(directories);
    this.parts = parts.map(
      (info, order) =>
        new Part(info, order, base, this.files, this.answers, all.then((dirs) => dirs[order])),
    );
    this.fragments = new Lru(CACHED_FRAGMENTS);
    this.current = null;
  }

  /** Run one search: ``onFirst(ranked, terms)`` with the first PAGE_SIZE results as soon as
   * they are known (newest parts first); returns {ranked: every result, terms}. A newer
   * ``search`` call makes this one throw Abandoned at its next step. */
  async search(query, filters, onFirst) {
    const run = {};
    this.current = run;
    const check = () => {
      if (this.current !== run) throw new Abandoned();
    };
    const terms = this.edition.terms(query);
    if (!terms || !terms.length) return { ranked: [], terms: terms || [] };
    let chosen = this.parts.filter(
      (p) =>
        (!filters.year || p.years.has(filters.year)) && (!filters.kind || p.kinds.has(filters.kind)),
    );
    // The newest part's files are asked for at once, with the word map: which parts can
    // hold the query. Then the files of those parts, the newest first; each part is read in
    // turn.
    const newest = chosen[0];
    if (newest) {
      await newest.directory;
      check();
      newest.prefetch(terms, filters, "high");
    }
    const candidates = this.map ? await this.map.candidates(terms, this.answers) : null;
    check();
    if (candidates) chosen = chosen.filter((part) => candidates.has(part.order));
    for (const [n, part] of chosen.entries()) {
      await part.directory;
      check();
      if (part !== newest) part.prefetch(terms, filters, n === 0 ? "high" : "low");
    }
    const found = [];
    let firstSent = false;
    for (const part of chosen) {
      found.push(...(await part.search(terms, filters)));
      check();
      if (!firstSent && found.length >= PAGE_SIZE && part !== chosen[chosen.length - 1]) {
        firstSent = true;
        onFirst(found.slice().sort(byRank).slice(0, PAGE_SIZE), terms);
      }
      await yieldToEvents();
      check();
    }
    return { ranked: found.sort(byRank), terms };
  }

  async fragment(result) {
    const part = this.parts[result.part];
    const url = part.fragmentUrl(result.page);
    let fragment = this.fragments.get(url);
    if (!fragment) {
      fragment = fetchPacked(url, PAGEFIND_SIGNATURE, "high").then((b) =>
        JSON.parse(DECODER.decode(b)),
      );
      this.fragments.set(url, fragment);
      fragment.catch(() => this.fragments.map.delete(url));
    }
    return fragment;
  }

  /** Results as the page shows them (``item``), their records fetched; ``onPrefix(items)``,
   * if given, with the first ones as soon as they are all there (the first results on screen
   * need not wait for the tenth record). */
  async items(results, terms, onPrefix) {
    const ready = new Array(results.length);
    let shown = 0;
    await Promise.all(
      results.map(async (r, i) => {
        ready[i] = item(await this.fragment(r), this.parts[r.part].span, terms);
        let k = shown;
        while (k < ready.length && ready[k]) k++;
        if (onPrefix && k > shown) onPrefix(ready.slice(0, k));
        shown = k;
      }),
    );
    return ready;
  }
}

// --- a result as shown ----------------------------------------------------------------------------

/** What the page shows of a result: its address (from the site's root), its facts (filters:
 * date, doc, kind, n, sec), its title and an excerpt as [[text, marked] …]. */
export function item(fragment, span, terms) {
  const words = fragment.content.split(" ");
  const marks = matchPositions(terms, words);
  const facts = {};
  for (const [name, values] of Object.entries(fragment.filters || {})) facts[name] = values[0] || "";
  const titleEnd = words.slice(0, span).findIndex((w) => w === BREAK);
  return {
    url: fragment.url,
    facts,
    title: titleEnd > 0 ? marked(words, 0, titleEnd, marks) : [],
    excerpt: excerpt(words, span, marks),
  };
}

/** Words [from, to) as runs of text, each [text, marked]. */
export function marked(words, from, to, marks) {
  const runs = [];
  for (let i = from; i < to; i++) {
    const piece = displayWord(words[i]).replaceAll("\n", " ");
    const mark = marks.has(i);
    const last = runs[runs.length - 1];
    if (last && last[1] === mark) last[0] += piece;
    else if (piece) runs.push([piece, mark]);
  }
  return runs;
}

/** About EXCERPT_LENGTH characters of the body around its first match, "…" where cut. */
export function excerpt(words, span, marks) {
  const first = [...marks].filter((p) => p >= span).sort((a, b) => a - b)[0];
  let from = span;
  if (first !== undefined) {
    from = first;
    let before = 0;
    while (from > span && before + displayWord(words[from - 1]).length <= EXCERPT_BEFORE) {
      before += displayWord(words[from - 1]).length;
      from--;
    }
  }
  while (from > span && marks.has(from) && marks.has(from - 1)) from--; // never half a match
  let to = from;
  let length = 0;
  while (to < words.length && (length < EXCERPT_LENGTH || (marks.has(to - 1) && marks.has(to)))) {
    length += displayWord(words[to]).length;
    to++;
  }
  const runs = marked(words, from, to, marks);
  if (from > span) runs.unshift(["…", false]);
  if (to < words.length) runs.push(["…", false]);
  return runs;
}

// --- the messages between the page (search.js) and the search -----------------------------------

/**
 * The search's side of the conversation. The page sends
 *   {type: "open", data, parts, base}: data.json (read), parts.bin (its bytes), the URL the
 *   parts' paths start from;
 *   {type: "search", id, query, filters}: a newer id abandons the search before it;
 *   {type: "more", id, from}: the next page of search ``id``;
 *   {type: "cancel", id}: the search box emptied: abandon the running search;
 * and gets back
 *   {type: "ready", years, kinds} once data.json is read;
 *   {type: "first", id, items} the first page, newest parts first, before the count is known;
 *   {type: "done", id, total, items} the count and the first page of the full ranking;
 *   {type: "more", id, from, items}; {type: "error", id, message}.
 */
export class Host {
  constructor(post) {
    this.post = post;
    this.engine = null;
    this.ready = new Promise((resolve, reject) => {
      this.opened = { resolve, reject };
    });
    this.ready.catch((error) => this.post({ type: "error", id: 0, message: String(error) }));
    this.results = null; // the last finished search: {id, ranked, terms}
  }

  receive(message) {
    if (message.type === "open") {
      this.open(message).then(this.opened.resolve, this.opened.reject);
    } else if (message.type === "search") {
      this.search(message).catch((error) => this.fail(message.id, error));
    } else if (message.type === "more") {
      this.more(message).catch((error) => this.fail(message.id, error));
    } else if (message.type === "cancel") {
      this.latest = message.id;
    }
  }

  async open({ data, parts, base }) {
    this.engine = new Engine(data, base, readDirectories(parts));
    this.post({ type: "ready", years: data.years || [], kinds: data.kinds || [] });
  }

  fail(id, error) {
    if (error instanceof Abandoned) return;
    this.post({ type: "error", id, message: String(error && error.stack ? error.stack : error) });
  }

  async search({ id, query, filters }) {
    this.latest = id;
    await this.ready;
    if (this.latest !== id) return; // replaced while data.json was loading
    // The first page, shown as its records come (each "first" message: the first ones).
    let first = null;
    let shown = 0;
    const showFirst = (items) => {
      if (this.latest !== id || items.length <= shown) return;
      shown = items.length;
      this.post({ type: "first", id, items });
    };
    const { ranked, terms } = await this.engine.search(query, filters || {}, (page, found) => {
      // A first page that fails (a fragment not fetched) is fetched again for "done".
      first = this.engine.items(page, found, showFirst).catch(() => null);
    });
    if (this.latest !== id) return;
    this.results = { id, ranked, terms };
    const top = ranked.slice(0, PAGE_SIZE);
    const items = await this.engine.items(top, terms, first ? undefined : showFirst);
    if (first) await first; // "first" always before "done"
    if (this.latest !== id) return;
    this.post({ type: "done", id, total: ranked.length, items });
  }

  async more({ id, from }) {
    const results = this.results;
    if (!results || results.id !== id) return;
    const items = await this.engine.items(results.ranked.slice(from, from + PAGE_SIZE), results.terms);
    if (this.latest === id) this.post({ type: "more", id, from, items });
  }
}

// Started as the page's worker (search.js): answer its messages.
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  const host = new Host((message) => postMessage(message));
  addEventListener("message", (event) => host.receive(event.data));
}
