// The search page's Web Worker (search.js starts it): the search runs here, so typing never
// waits for it. Everything is in search-engine.js (Host: the messages, Engine: the search).
import { Host } from "./search-engine.js";

const host = new Host((message) => postMessage(message));
addEventListener("message", (event) => host.receive(event.data));
