/* Search scores of the bilingual book (html_search_scorer: Sphinx writes this into language_data.js).
 *
 * Sphinx's own scores, and one more rule: a page whose own title holds every word of the query comes
 * first. Without it the execution report, which repeats every page's title as a section heading, ties
 * with that page and is listed before it. Words are compared without zero-width non-joiners (U+200C),
 * as the Persian index keeps them (bilingual.py, SearchPersian).
 */
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    const plain = (text) => text.toLowerCase().replace(/\u200c/g, "");
    const words = splitQuery(new URLSearchParams(window.location.search).get("q") || "").map(plain);
    const title = plain(Search._index.titles[Search._index.docnames.indexOf(docname)] || "");
    return words.length && words.every((word) => title.includes(word)) ? score + Scorer.title : score;
  },

  // Sphinx's defaults (searchtools.js), which this object replaces
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: {0: 15, 1: 5, 2: -5},
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
