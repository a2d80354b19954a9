// The search page of each edition (/{edition}/search/): every record that contains every term
// (docs/search.md). This is the page's side only: the box, the address, the filters and the
// results on screen. The search runs in a Web Worker (search-engine.js), so the page never
// waits for it while a person types; a browser that cannot start a module worker runs the same
// code in the page. The page reads data.json and parts.bin at once (the HTML preloads them,
// and the engine, which the worker then finds in the browser's cache) and hands them to the
// worker.
//
// #search-results tells what is on screen: aria-busy="true" while a search runs (its first
// results may already be shown, newest parts first, data-shown naming their query), and
// data-query the query whose count and full ranking are final (aria-busy="false").

import { Host } from "./search-engine.js"; // also the worker's script: fetched once, here

const DEBOUNCE_MS = 120; // typing: the search starts when the keys pause this long

/** A channel to the search: the worker, or the same code in the page, where no module worker
 * starts (the messages sent so far are sent again there) or globalThis.bulletinSearchInPage
 * says so (bench/search.py: Chromium slows a page's thread, never a worker's). */
function connect(box, onMessage) {
  const engine = new URL(box.dataset.engine, document.baseURI);
  const inPage = async () => {
    const host = new Host((message) => setTimeout(() => onMessage(message), 0));
    return (message) => host.receive(message);
  };
  let sent = []; // until the worker is ready
  let target = null; // a promise of the function that sends a message
  if (typeof Worker !== "undefined" && !globalThis.bulletinSearchInPage) {
    try {
      const worker = new Worker(engine, { type: "module" });
      worker.addEventListener("message", (event) => {
        if (event.data.type === "ready") sent = null;
        onMessage(event.data);
      });
      worker.addEventListener("error", () => {
        if (sent === null) return;
        console.warn("search: the worker did not start; searching in the page");
        const replay = sent;
        sent = null; // the page's own search answers from now on: nothing more to replay
        target = inPage().then((post) => {
          replay.forEach(post);
          return post;
        });
      });
      target = Promise.resolve((message) => worker.postMessage(message));
    } catch (error) {
      console.warn("search: no worker, searching in the page", error);
    }
  }
  target = target || inPage();
  return {
    postMessage(message) {
      if (sent) sent.push(message);
      target.then((post) => post(message));
    },
  };
}

/** 12345 → "12,345", as both editions write it. Not toLocaleString: its first call loads the
 * locale's number data, 20 ms of the page's thread (80 ms on a slow phone) as the count comes. */
function grouped(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

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
    this.sequence = 0; // the id of the newest search
    this.loadingMore = false; // "more" asked, its results not yet shown
    this.timer = 0;
    this.query = "";
    this.total = 0;
    this.shown = 0;
    const here = (path) => new URL(path, document.baseURI).href;
    const read = async (path, how) => {
      const response = await fetch(here(path));
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return response[how]();
    };
    const files = Promise.all([read(box.dataset.data, "json"), read(box.dataset.parts, "arrayBuffer")]);
    // The channel, once the search has what it needs (searches sent before would wait there).
    const channel = connect(box, (message) => this.receive(message));
    this.channel = files.then(([data, parts]) => {
      channel.postMessage({ type: "open", data, parts, base: here(box.dataset.bundle) });
      return channel;
    });
    this.channel.catch((error) => this.receive({ type: "error", id: 0, message: String(error) }));
  }

  start() {
    const params = new URLSearchParams(window.location.search);
    this.input.value = params.get("q") || "";
    this.setSelect(this.year, params.get("year"));
    this.setSelect(this.kind, params.get("kind"));
    // While an input method composes (pinyin, cangjie …) the box holds the keys, not the
    // characters: the search waits for the composed text.
    this.input.addEventListener("input", (event) => {
      if (!event.isComposing) this.schedule(DEBOUNCE_MS);
    });
    this.input.addEventListener("compositionend", () => this.schedule(DEBOUNCE_MS));
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

  /** Keep ?q= (and the filters) in the address as the person types, then search: at once
   * (Enter, a filter, the address), or when the keys pause. A newer search replaces this one
   * in the worker, which abandons it. */
  schedule(delay) {
    const query = this.input.value;
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    for (const [name, value] of Object.entries(this.filters())) params.set(name, value);
    const search = params.toString();
    history.replaceState(history.state, "", search ? `?${search}` : window.location.pathname);
    this.box.setAttribute("aria-busy", "true");
    this.more.hidden = true; // "more" of the search being replaced would mix two result lists
    this.loadingMore = false;
    const sequence = ++this.sequence;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(sequence, query, this.filters()), delay);
  }

  async run(sequence, query, filters) {
    if (sequence !== this.sequence) return;
    this.query = query;
    if (!query.trim()) {
      this.list.replaceChildren();
      this.total = this.shown = 0;
      this.finish(query, "");
      this.channel.then((channel) => channel.postMessage({ type: "cancel", id: sequence }), () => {});
      return;
    }
    let channel;
    try {
      channel = await this.channel;
    } catch (error) {
      this.receive({ type: "error", id: sequence, message: String(error) });
      return;
    }
    if (sequence !== this.sequence) return; // replaced while the search was starting
    channel.postMessage({ type: "search", id: sequence, query, filters });
  }

  receive(message) {
    if (message.type === "ready") {
      this.fillYears(message.years);
      return;
    }
    if (message.type === "error") {
      console.error(`search: ${message.message}`);
      if (this.loadingMore && message.id === this.sequence) {
        // The next ten failed: the results shown stay, "more" can be tried again.
        this.loadingMore = false;
        this.status.textContent = this.labels.lError;
        this.box.setAttribute("aria-busy", "false");
      } else if (message.id === 0 || message.id === this.sequence) {
        this.list.replaceChildren();
        this.total = this.shown = 0;
        this.finish(this.input.value, this.labels.lError);
      }
      return;
    }
    if (message.id !== this.sequence) return; // an older search's answer: never shown
    if (message.type === "first") {
      // The first results, before the count: the box stays busy.
      this.list.replaceChildren(...message.items.map((item) => this.item(item)));
      this.shown = message.items.length;
      this.more.hidden = true;
      // Said once: a screen reader would announce the same words again at every record.
      if (this.status.textContent !== this.labels.lCounting) {
        this.status.textContent = this.labels.lCounting;
      }
      this.box.dataset.shown = this.query;
    } else if (message.type === "done") {
      this.list.replaceChildren(...message.items.map((item) => this.item(item)));
      this.total = message.total;
      this.shown = message.items.length;
      this.finish(this.query, this.countLabel());
    } else if (message.type === "more" && message.from === this.shown) {
      const added = message.items.map((item) => this.item(item));
      this.list.append(...added);
      this.shown += message.items.length;
      this.loadingMore = false;
      this.more.hidden = this.shown >= this.total;
      this.status.textContent = this.countLabel();
      this.box.setAttribute("aria-busy", "false");
      // The keyboard goes on from the first new result (the button may be gone now).
      const link = added.length ? added[0].querySelector("a") : null;
      if (link) link.focus();
    }
  }

  countLabel() {
    return this.total
      ? this.labels.lCount.replace("{n}", grouped(this.total))
      : this.labels.lNone.replace("{q}", this.query.trim());
  }

  finish(query, status) {
    this.status.textContent = status;
    this.more.hidden = this.shown >= this.total;
    this.box.dataset.shown = query;
    this.box.dataset.query = query;
    this.box.setAttribute("aria-busy", "false");
  }

  async showMore() {
    // Only for the results on screen, once final, and once at a time.
    if (this.loadingMore || this.box.dataset.query !== this.query) return;
    if (this.box.getAttribute("aria-busy") === "true") return;
    this.loadingMore = true;
    this.box.setAttribute("aria-busy", "true");
    const channel = await this.channel;
    channel.postMessage({ type: "more", id: this.sequence, from: this.shown });
  }

  /** A result: its title (linked), where it appeared, an excerpt; matches in <mark>. */
  item(result) {
    const fact = (name) => result.facts[name] || "";
    const li = document.createElement("li");
    const kicker = document.createElement("p");
    kicker.className = "search-kicker";
    kicker.textContent = this.kicker(fact);
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    link.href = new URL(result.url, this.root).href;
    if (result.title.length) {
      link.append(...this.runs(result.title));
    } else {
      link.textContent = this.untitled(fact);
    }
    heading.append(link);
    const excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    excerpt.append(...this.runs(result.excerpt));
    li.append(heading, kicker, excerpt);
    return li;
  }

  /** [[text, marked] …] as text nodes and <mark>s. */
  runs(runs) {
    return runs.map(([text, mark]) => {
      if (!mark) return document.createTextNode(text);
      const element = document.createElement("mark");
      element.textContent = text;
      return element;
    });
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
}

const form = document.querySelector("form.search-form");
const box = document.getElementById("search-results");
if (form && box && box.dataset.engine) {
  new SearchPage(form, box).start();
}
