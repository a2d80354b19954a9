// The search page of each edition (/{edition}/search/): every record that contains every term.
//
// The index (src/bulletin_site/search/; docs/search.md) holds one Pagefind word per
// character position: a Chinese character as the pair it starts (經濟, 濟局, 局ǂ at the end of a
// run), a Latin word or number + "ǂ", punctuation as words Pagefind does not index. A term such
// as 經濟局 is looked up pair by pair (經濟, 濟局, in every form of the edition that folds to the
// same: 經/经 …), and a record matches where the pairs stand at consecutive positions. Pagefind
// is asked for single words only, so its prefix matching and its word cutting never change a
// result; the count is exact before a single record is loaded, and only the records shown are.
//
// The index is in parts (a year of the archive each, newest first): Pagefind's root instance
// holds its program, and every part is merged into it (mergeIndex), so a word is looked up in
// every part at once. One ranking across the parts is computed here, from each result's id
// (its part and its place there), never from Pagefind's scores, which are per part.
//
// The functions exported here mirror the Python package (words.char_class, fold.fold_char,
// words.tokenize, the tests' reference steps …); the tests hold the two to each other.

export const WORD_END = "\u01c2"; // ǂ
export const SPACE = "\u2423"; // ␣
export const BREAK = "\u2424"; // ␤
const RESERVED = new Set([WORD_END, SPACE, BREAK]);
export const HAN = "han";
export const WORD = "word";
export const SEP = "sep";

const PAGE_SIZE = 10; // results shown at once; "more" shows the next ones
const EXCERPT_BEFORE = 30; // characters shown before the first match
const EXCERPT_LENGTH = 110;
const DEBOUNCE_MS = 150;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const MARK = /\p{M}/u;
const PART_STRIDE = 2 ** 24; // ranks: a part's place × this + the record's place in the part

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

// --- the search -------------------------------------------------------------------------------

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

export class Searcher {
  /** pagefind: the module pagefind.js, started on the edition's root with its parts merged
   * (``startOn``, ``mergeParts``); data: the edition's data.json. */
  constructor(pagefind, data, spill = async () => ({})) {
    this.pagefind = pagefind;
    this.parts = new Map(); // part name → {order (newest first), span}
    (data.parts || []).forEach((part, order) => {
      this.parts.set(part.name, { order, span: part.span });
    });
    this.spill = spill; // () → spill.json, for one-character terms
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

  /** A result's part (its name, then "_", then its place there in base 36; bundle.record_id). */
  partOf(id) {
    const cut = id.lastIndexOf("_");
    const part = this.parts.get(id.slice(0, cut));
    if (!part) throw new Error(`search: a result from no known part: ${id}`);
    return { ...part, rank: part.order * PART_STRIDE + parseInt(id.slice(cut + 1), 36) };
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

  /** Every record matching every term: [{id, rank, span, titleTerms, count, marks, data}],
   * ranked across every part: title matches first, then by how often the terms occur, then
   * newest first. */
  async search(query, filters = {}) {
    const terms = splitQuery(query).map((term) => this.steps(term));
    if (!terms.length || terms.some((t) => t.steps.some((step) => !step.keys.length))) return [];
    const found = new Map(); // Pagefind word → Map(id → result)
    const words = new Set();
    const prefixes = new Set();
    for (const { steps } of terms) {
      for (const step of steps) {
        for (const key of step.keys) (step.mode === PREFIX ? prefixes : words).add(key);
      }
    }
    if (prefixes.size) {
      // A character whose words fill several index files: load them all before the search.
      const spill = await this.spill();
      await Promise.all(
        [...prefixes].flatMap((c) => (spill[c] || []).map((k) => this.pagefind.preload(k))),
      );
    }
    await Promise.all(
      [...words, ...prefixes].map(async (word) => {
        const response = await this.pagefind.search(word, { filters });
        found.set(word, new Map(response.results.map((r) => [r.id, r])));
      }),
    );
    let records = null; // id → {rank, data, titleTerms, count, marks}
    for (const term of terms) {
      const hits = this.match(term, found);
      if (records === null) {
        records = hits;
      } else {
        for (const [id, record] of records) {
          const hit = hits.get(id);
          if (!hit) {
            records.delete(id);
            continue;
          }
          record.titleTerms += hit.titleTerms;
          record.count += hit.count;
          for (const p of hit.marks) record.marks.add(p);
        }
      }
      if (!records.size) return [];
    }
    return [...records.entries()]
      .map(([id, record]) => ({ id, ...record }))
      .sort((a, b) => b.titleTerms - a.titleTerms || b.count - a.count || a.rank - b.rank);
  }

  /** Records where one term's steps all hit at consecutive positions: id → hit. */
  match({ steps, width }, found) {
    // Per step: id → positions, the union over the step's words.
    const results = new Map(); // id → a Pagefind result (for its data())
    const perStep = steps.map((step) => {
      const positions = new Map();
      for (const key of step.keys) {
        for (const [id, result] of found.get(key)) {
          if (!positions.has(id)) positions.set(id, []);
          positions.get(id).push(...result.words);
          results.set(id, result);
        }
      }
      return positions;
    });
    const smallest = perStep.reduce((a, b) => (b.size < a.size ? b : a));
    const hits = new Map();
    for (const id of smallest.keys()) {
      if (!perStep.every((positions) => positions.has(id))) continue;
      const sets = perStep.map((positions) => new Set(positions.get(id)));
      const starts = [...sets[0]]
        .map((p) => p - steps[0].offset)
        .filter((p) => steps.every((step, i) => sets[i].has(p + step.offset)));
      if (!starts.length) continue;
      const marks = new Set();
      for (const p of starts) for (let i = 0; i < width; i++) marks.add(p + i);
      const { rank, span } = this.partOf(id);
      hits.set(id, {
        rank, // the record's place in the archive, newest first
        span, // its part's title span: positions below it are its title
        data: results.get(id).data,
        titleTerms: starts.some((p) => p < span) ? 1 : 0,
        count: starts.length,
        marks,
      });
    }
    return hits;
  }
}

/**
 * Start Pagefind on the edition's index (data.json "index": hant / hans).
 *
 * Pagefind takes the page's <html lang> when it starts, both to choose the index and to decide
 * how to cut a query: for zh (ja, th) it cuts queries into dictionary words, which would split
 * the pairs this index is made of (濟局 → 濟 局). So the page's lang is the index name for the
 * moment Pagefind reads it (synchronously, in init) and is put back at once: nothing renders
 * in between.
 */
export function startOn(pagefind, index) {
  const html = document.documentElement;
  const lang = html.getAttribute("lang");
  html.setAttribute("lang", index);
  try {
    pagefind.init();
  } finally {
    html.setAttribute("lang", lang);
  }
}

/**
 * Merge every part of the edition into the started instance: Pagefind loads each part's entry
 * and metadata files, and shares the root's WebAssembly with them (mergeIndex waits for it).
 * A part's folder is named by its content, which is therefore its metaCacheTag: a browser may
 * keep its entry file instead of asking for it again on every visit.
 */
export async function mergeParts(pagefind, data, bundle) {
  await Promise.all(
    data.parts.map((part) =>
      pagefind.mergeIndex(new URL(part.path, bundle).href, {
        language: data.index,
        metaCacheTag: part.path.replace(/\/$/, "").split("-").pop(),
      }),
    ),
  );
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// --- the page ---------------------------------------------------------------------------------

class SearchPage {
  constructor(form, box) {
    this.form = form;
    this.box = box;
    this.input = form.elements.namedItem("q");
    this.year = form.elements.namedItem("year");
    this.kind = form.elements.namedItem("kind");
    this.status = box.querySelector(".search-status");
    this.list = box.querySelector(".search-list");
    this.more = box.querySelector(".search-more");
    this.root = new URL(box.dataset.root, document.baseURI);
    this.labels = box.dataset;
    this.sequence = 0;
    this.timer = 0;
    this.ready = this.load();
  }

  async load() {
    const bundle = new URL(this.box.dataset.bundle, document.baseURI);
    const [pagefind, data] = await Promise.all([
      import(bundle.href),
      fetchJson(new URL(this.box.dataset.data, document.baseURI)),
    ]);
    // The main thread: one worker script less to download (41 kB), and the results of a
    // search are not copied between threads (docs/search.md, measurements).
    await pagefind.options({ noWorker: true, metaCacheTag: data.root });
    startOn(pagefind, data.index);
    await mergeParts(pagefind, data, bundle);
    this.fillYears(data.years || []);
    let spill = null;
    const loadSpill = () => {
      spill = spill || fetchJson(new URL(this.box.dataset.spill, document.baseURI));
      return spill;
    };
    return new Searcher(pagefind, data, loadSpill);
  }

  start() {
    const params = new URLSearchParams(window.location.search);
    this.input.value = params.get("q") || "";
    this.setSelect(this.year, params.get("year"));
    this.setSelect(this.kind, params.get("kind"));
    this.input.addEventListener("input", () => this.schedule(DEBOUNCE_MS));
    for (const select of [this.year, this.kind]) {
      if (select) select.addEventListener("change", () => this.schedule(0));
    }
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.schedule(0);
    });
    this.more.addEventListener("click", () => this.showMore());
    this.schedule(0);
  }

  setSelect(select, value) {
    if (!select || !value) return;
    if (![...select.options].some((o) => o.value === value)) {
      select.append(new Option(value, value)); // a year not yet listed: kept as asked
    }
    select.value = value;
  }

  fillYears(years) {
    if (!this.year) return;
    const chosen = this.year.value;
    for (const year of years) {
      if (![...this.year.options].some((o) => o.value === year)) {
        this.year.append(new Option(this.labels.lYear.replace("{year}", year), year));
      }
    }
    this.year.value = chosen;
  }

  filters() {
    const filters = {};
    if (this.year && this.year.value) filters.year = this.year.value;
    if (this.kind && this.kind.value) filters.kind = this.kind.value;
    return filters;
  }

  /** Keep ?q= (and the filters) in the address as the person types, then search. */
  schedule(delay) {
    const query = this.input.value;
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    for (const [name, value] of Object.entries(this.filters())) params.set(name, value);
    const search = params.toString();
    history.replaceState(history.state, "", search ? `?${search}` : window.location.pathname);
    this.box.setAttribute("aria-busy", "true");
    const sequence = ++this.sequence;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(sequence, query, this.filters()), delay);
  }

  async run(sequence, query, filters) {
    let results;
    try {
      const searcher = await this.ready;
      results = query.trim() ? await searcher.search(query, filters) : null;
    } catch (error) {
      if (sequence !== this.sequence) return;
      console.error(error);
      this.finish(query, this.labels.lError, []);
      return;
    }
    if (sequence !== this.sequence) return; // a newer search has started
    this.results = results || [];
    this.shownCount = 0;
    this.list.replaceChildren();
    let status = "";
    if (results) {
      status = results.length
        ? this.labels.lCount.replace("{n}", results.length.toLocaleString())
        : this.labels.lNone.replace("{q}", query.trim());
    }
    await this.render(sequence);
    if (sequence !== this.sequence) return;
    this.finish(query, status);
  }

  finish(query, status) {
    this.status.textContent = status;
    this.more.hidden = !this.results || this.shownCount >= this.results.length;
    this.box.dataset.query = query;
    this.box.setAttribute("aria-busy", "false");
  }

  async showMore() {
    const sequence = this.sequence;
    this.box.setAttribute("aria-busy", "true");
    await this.render(sequence);
    if (sequence !== this.sequence) return;
    this.more.hidden = this.shownCount >= this.results.length;
    this.box.setAttribute("aria-busy", "false");
  }

  /** The next PAGE_SIZE results, with their records loaded. */
  async render(sequence) {
    const page = this.results.slice(this.shownCount, this.shownCount + PAGE_SIZE);
    const fragments = await Promise.all(page.map((result) => result.data()));
    if (sequence !== this.sequence) return;
    const items = page.map((result, i) => this.item(result, fragments[i], result.span));
    this.list.append(...items);
    this.shownCount += page.length;
  }

  item(result, fragment, span) {
    const words = fragment.content.split(" ");
    const filters = fragment.filters || {};
    const fact = (name) => (filters[name] || [])[0] || "";
    const li = document.createElement("li");
    const kicker = document.createElement("p");
    kicker.className = "search-kicker";
    kicker.textContent = this.kicker(fact);
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    link.href = new URL(fragment.raw_url || fragment.url, this.root).href;
    const titleEnd = words.slice(0, span).findIndex((w) => w === BREAK);
    const title = titleEnd > 0 ? this.marked(words, 0, titleEnd, result.marks) : [];
    if (title.length) {
      link.append(...title);
    } else {
      link.textContent = this.untitled(fact);
    }
    heading.append(link);
    const excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    excerpt.append(...this.excerpt(words, span, result.marks));
    li.append(heading, kicker, excerpt);
    return li;
  }

  kicker(fact) {
    const date = this.date(fact("date"));
    const kind = fact("kind");
    if (kind === "plan") {
      return [this.labels.lPlan, fact("sec")].filter(Boolean).join(" · ");
    }
    if (kind === "page") return this.labels.lPage;
    if (fact("n")) return [fact("doc"), date].filter(Boolean).join(" · ");
    return [this.labels.lSummary, date].filter(Boolean).join(" · ");
  }

  untitled(fact) {
    const number = fact("n");
    const item = number ? this.labels.lItem.replace("{n}", number) : "";
    return [fact("doc"), item].filter(Boolean).join(" · ");
  }

  date(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!match) return "";
    return this.labels.lDate
      .replace("{y}", String(Number(match[1])))
      .replace("{m}", String(Number(match[2])))
      .replace("{d}", String(Number(match[3])));
  }

  /** Words [from, to) as text nodes, runs of matched positions in <mark>. */
  marked(words, from, to, marks) {
    const nodes = [];
    let text = "";
    let mark = null;
    for (let i = from; i < to; i++) {
      const piece = displayWord(words[i]).replaceAll("\n", " ");
      if (marks.has(i)) {
        if (text) nodes.push(document.createTextNode(text));
        text = "";
        if (!mark) {
          mark = document.createElement("mark");
          nodes.push(mark);
        }
        mark.append(piece);
      } else {
        mark = null;
        text += piece;
      }
    }
    if (text) nodes.push(document.createTextNode(text));
    return nodes;
  }

  /** About EXCERPT_LENGTH characters of the body around its first match. */
  excerpt(words, span, marks) {
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
    const nodes = this.marked(words, from, to, marks);
    if (from > span) nodes.unshift(document.createTextNode("…"));
    if (to < words.length) nodes.push(document.createTextNode("…"));
    return nodes;
  }
}

// Not in a page (the tests import this module under node to compare it with Python).
if (typeof document !== "undefined") {
  const form = document.querySelector("form.search-form");
  const box = document.getElementById("search-results");
  if (form && box && box.dataset.bundle) {
    new SearchPage(form, box).start();
  }
}
