"""Full-text search: Pagefind indexes in which Chinese is indexed by overlapping character
pairs, and every phrase is checked by position in the browser (``templates/assets/``:
search.js, the page; search-engine.js, the search itself, in a Web Worker).
The rule, the layout and the measurements: ``docs/search.md``.

By concern:

- ``words``: text as Pagefind words, one per character position (pairs for Chinese);
- ``fold``: how a query and a text are compared (Traditional/Simplified, widths, case);
- ``records``: what a result is, one function per kind of document, and its indexed content;
- ``pagefind``: the client of ``pagefind --service``;
- ``bundle``: Pagefind's output made canonical (record ids, determinism);
- ``parts``: the index in parts, their cache and their memory budget;
- ``answers``: each part's directory, and the answers for its commonest words;
- ``site_index``: every file the index adds to the site (the parts, data.json).

What a character is (Chinese or not) is ``bulletin_site.chars``, shared with the reader and
the converter. The reference matcher the tests hold search.js to is ``tests/search_reference.py``.
"""

from bulletin_site.search.site_index import (
    BUNDLE,
    DATA,
    DATA_VERSION,
    PARTS,
    index_files,
    index_language,
    write_files,
    write_index,
)

__all__ = [
    "BUNDLE",
    "DATA",
    "DATA_VERSION",
    "PARTS",
    "index_files",
    "index_language",
    "write_files",
    "write_index",
]
